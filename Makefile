# Briefing QA — the README's commands. Works on a fresh machine: creates .venv and installs on first use.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: run test eval bench build install clean

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

bench: $(STAMP)
	$(PY) -m bench.run

clean:
	rm -rf index/gen-* index/CURRENT index/.tmp-* eval/out bench/out
