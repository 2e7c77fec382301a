# perfdash: `make run` serves the app over the demo database, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
PORT ?= 8501
export PERFDASH_DEMO ?= 1

.PHONY: run test seed bench bench-scoring clean

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(INSTALLED)

seed: $(INSTALLED)
	$(PY) -m data_access.demo --if-empty
	$(PY) -m services.alerts run
	$(PY) -m services.demo_story

run: seed
	$(PY) -m streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(INSTALLED)
	$(PY) bench/bench_data_access.py

bench-scoring: $(INSTALLED)
	$(PY) bench/bench_scoring.py

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
