# Two commands for a newcomer: `make run` and `make test`. Both set up .venv first when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint eval bench index clean browser-deps

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,st]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its extras

browser-deps: ## Debian Chromium for the browser tests (root on a fresh machine)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium missing: sudo apt-get install chromium (browser tests will be skipped)"; fi; }

run: $(STAMP) ## build the index if needed and serve UI + API on http://127.0.0.1:7860
	$(PY) app.py

test: $(STAMP) browser-deps ## lint, then the whole test suite
	$(PY) -m ruff check assistant tests app.py
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2  # two workers, one embedding thread each: both cores, no oversubscription

lint: $(STAMP)
	$(PY) -m ruff check assistant tests app.py

eval: $(STAMP) ## the project's own question set
	$(PY) -m assistant eval

bench: $(STAMP)
	$(PY) -m assistant bench

index: $(STAMP)
	$(PY) -m assistant index

clean:
	rm -rf index .pytest_cache artifacts
