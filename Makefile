# perfdash: `make run` serves the app over the demo database, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-requirements
PORT ?= 8501
export PERFDASH_DEMO ?= 1
# Demo mode's keys are public: serve this machine only unless an address is given (make run ADDRESS=0.0.0.0).
ADDRESS ?= $(if $(filter 1 true yes on,$(PERFDASH_DEMO)),127.0.0.1,)

.PHONY: run test seed bench bench-scoring openapi clean deploy-local deploy-local-stop

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(INSTALLED)

seed: $(INSTALLED)
	$(PY) -m data_access.demo --if-empty
	$(PY) -m services.demo_story
	$(PY) -m services.alerts run
	$(PY) -m services.risk train --if-missing

run: seed
ifneq ($(filter 1 true yes on,$(PERFDASH_DEMO)),)
	@echo "perfdash demo on http://$(or $(ADDRESS),0.0.0.0):$(PORT) - demo mode: public keys, demo logins, not for production."
	@echo "To run for real (README: Running for real): PERFDASH_DEMO=0, PERFDASH_COOKIE_KEY and PERFDASH_AUDIT_KEY"
	@echo "  (32+ random bytes each), PERFDASH_DATABASE_URL; migrate with 'python -m data_access.migrate', then"
	@echo "  'python -m streamlit run app.py --server.address <address>'."
endif
	$(PY) -m streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false $(if $(ADDRESS),--server.address $(ADDRESS))

test: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -n auto --dist loadgroup

# The open API's spec as a file (docs/openapi.json); tests/api/test_spec.py fails when it is stale.
openapi: $(INSTALLED)
	$(PY) -m api.spec

bench: $(INSTALLED)
	$(PY) bench/bench_data_access.py

bench-scoring: $(INSTALLED)
	$(PY) bench/bench_scoring.py

# PostgreSQL, two Streamlit replicas, the API and nginx on loopback (deploy/README.md); ports and demo size can be
# changed, e.g. make deploy-local DEPLOY_ARGS="--port 8081 --app-ports 8521,8522 --projects 1000".
DEPLOY_DIR ?= data/deploy-local
DEPLOY_ARGS ?=

deploy-local: $(INSTALLED)
	$(PY) -m deploy.local start --state-dir $(DEPLOY_DIR) $(DEPLOY_ARGS)

deploy-local-stop:
	$(PY) -m deploy.local stop --state-dir $(DEPLOY_DIR)

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
