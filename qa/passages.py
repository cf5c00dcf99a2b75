"""Split answer chunks into sentences (pysbd) and into passages: sentence windows that fit the model.

Small-to-big: a passage is what the index sees and matches; its parent chunk is what a citation
names. Windows never cross a paragraph, so `source[start:end] == passage.text` always holds.
"""
from __future__ import annotations

import functools

from .tokens import count_wordpieces
from .types import Chunk, Passage, Sentence


@functools.lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Sentences of `text` as (sentence, start, end) with spans shifted by `offset`, whitespace trimmed.

    >>> [s for s, _, _ in split_sentences("Mr. Wang spoke on Jan. 20. It rose 3.5 million (PCT).")]
    ['Mr. Wang spoke on Jan. 20.', 'It rose 3.5 million (PCT).']
    """
    out = []
    if not text.strip():
        return out
    spans = _segmenter().segment(text)
    pos = 0
    for sp in spans:
        # pysbd's spans can drift on odd input; re-find each sentence from the running position.
        frag = sp.sent.strip()
        if not frag:
            continue
        i = text.find(frag, pos)
        if i < 0:
            i = max(pos, min(sp.start, len(text)))
            frag = text[i:sp.end].strip()
            if not frag:
                continue
            i = text.find(frag, i)
        out.append((frag, offset + i, offset + i + len(frag)))
        pos = i + len(frag)
    # Anything pysbd dropped at the end still belongs to the text.
    rest = text[pos:].strip()
    if rest:
        i = text.find(rest, pos)
        out.append((rest, offset + i, offset + i + len(rest)))
    return out


def chunk_sentences(chunk: Chunk) -> list[Sentence]:
    """All sentences of a chunk in order, each with its paragraph index and source span."""
    return [Sentence(s, a, b, chunk.id, k)
            for k, p in enumerate(chunk.paragraphs)
            for s, a, b in split_sentences(p.text, p.start)]


def embed_text(passage: Passage, chunk: Chunk, with_question: bool, question_words: int = 40) -> str:
    """The text the model embeds for a passage: optionally the question it answers, then the passage."""
    if not with_question or not chunk.question:
        return passage.text
    q = " ".join(chunk.question.split()[:question_words])
    return f"{q}\n{passage.text}"


def make_passages(chunks: list[Chunk], window: int, stride: int, max_wordpieces: int = 256,
                  model_path: str | None = None, start_id: int = 0,
                  sentences: dict[str, list[Sentence]] | None = None) -> list[Passage]:
    """Windows of `window` sentences every `stride` sentences inside each paragraph.

    A window longer than `max_wordpieces` is shrunk sentence by sentence (a lone sentence that is
    still too long is kept and will be truncated by the model; README reports how many).
    """
    out: list[Passage] = []
    pid = start_id
    for chunk in chunks:
        sents = sentences[chunk.id] if sentences else chunk_sentences(chunk)
        by_para: dict[int, list[int]] = {}
        for i, s in enumerate(sents):
            by_para.setdefault(s.paragraph, []).append(i)
        src_text = {k: p for k, p in enumerate(chunk.paragraphs)}
        for para, idx in by_para.items():
            p = src_text[para]
            starts = list(range(0, max(1, len(idx) - window + stride), stride)) or [0]
            seen = set()
            for st in starts:
                take = idx[st:st + window]
                while True:
                    a, b = sents[take[0]].start, sents[take[-1]].end
                    text = p.text[a - p.start:b - p.start]
                    wp = count_wordpieces(text, model_path)
                    if wp <= max_wordpieces or len(take) == 1:
                        break
                    take = take[:-1]
                key = tuple(take)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Passage(pid, chunk.id, text, a, b, key, wp))
                pid += 1
            # Shrunk windows may leave the paragraph's tail uncovered: cover it.
            covered = {i for ps in seen for i in ps}
            for i in idx:
                if i not in covered:
                    s = sents[i]
                    out.append(Passage(pid, chunk.id, s.text, s.start, s.end, (i,), count_wordpieces(s.text, model_path)))
                    pid += 1
    return out
