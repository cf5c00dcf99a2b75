"""Split answer chunks into sentences (pysbd) and into passages: sentence windows that fit the model.

Small-to-big: a passage is what the index sees and matches; its parent chunk is what a citation
names. Windows never cross a paragraph, so `source[start:end] == passage.text` always holds.
"""
from __future__ import annotations

import threading

from .errors import ConfigError
from .tokens import count_wordpieces
from .types import Chunk, Passage, Sentence


_local = threading.local()


def _segmenter():
    """This thread's pysbd segmenter: a Segmenter keeps the text it is working on, so threads never share one."""
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        import pysbd

        # char_span=False: its spans are not trusted anyway (see split_sentences) and it is ~30% faster.
        seg = _local.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return seg


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Sentences of `text` as (sentence, start, end) with spans shifted by `offset`, whitespace trimmed.

    >>> [s for s, _, _ in split_sentences("Mr. Wang spoke on Jan. 20. It rose 3.5 million (PCT).")]
    ['Mr. Wang spoke on Jan. 20.', 'It rose 3.5 million (PCT).']
    """
    if not text.strip():
        return []
    # pysbd's spans drift on odd input and it may drop text; use only where its sentences start,
    # re-found in `text`, and cut `text` there, so the sentences cover every character exactly.
    cuts, pos = [0], 0
    for sent in _segmenter().segment(text):
        frag = sent.strip()
        i = text.find(frag, pos) if frag else -1
        if i < 0:
            continue
        if i > cuts[-1]:
            cuts.append(i)
        pos = i + len(frag)
    out = []
    for a, b in zip(cuts, cuts[1:] + [len(text)]):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            out.append((piece, offset + a + lead, offset + a + lead + len(piece)))
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
    if window < 1 or stride < 1 or max_wordpieces < 1:
        raise ConfigError(f"passage window ({window}), stride ({stride}) and max_wordpieces "
                          f"({max_wordpieces}) must each be at least 1")
    out: list[Passage] = []
    pid = start_id
    for chunk in chunks:
        sents = (sentences or {}).get(chunk.id) or chunk_sentences(chunk)
        by_para: dict[int, list[int]] = {}
        for i, s in enumerate(sents):
            by_para.setdefault(s.paragraph, []).append(i)
        src_text = {k: p for k, p in enumerate(chunk.paragraphs)}
        for para, idx in by_para.items():
            p = src_text[para]
            # stride > window could start past the last sentence; skipped ones are covered below.
            starts = [st for st in range(0, max(1, len(idx) - window + stride), stride) if st < len(idx)]
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
