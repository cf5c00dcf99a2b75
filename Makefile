# Briefing QA — the README's commands. Works on a fresh machine: creates .venv and installs on first use.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test eval eval-other bench build install clean

# Re-install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,onnx]'
	@touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/briefqa build --if-stale

run: $(STAMP)
	$(BIN)/briefqa build --if-stale
	$(BIN)/briefqa serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

eval: $(STAMP)
	$(BIN)/briefqa eval --out eval/report

# The same eval on transcripts the rules were not written on (eval/transcripts/<name>/: a transcript and its
# questions), each with its own index: how the answers generalise to other briefings and layouts.
eval-other: $(STAMP)
	@for d in eval/transcripts/*/; do n=$$(basename $$d); \
	  $(BIN)/briefqa build --corpus $$d --index eval/out/index-$$n >/dev/null 2>&1 && \
	  $(BIN)/briefqa eval --questions $$d/questions.jsonl --corpus $$d --index eval/out/index-$$n \
	    --out eval/out/report-$$n 2>&1 | grep -E "^(dev|test|report)" | sed "s/^/$$n: /"; done

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf index/gen-* index/CURRENT index/.tmp-* eval/out bench/out
