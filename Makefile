# Two entry points: `make run` (install + run the app) and `make test` (install + run every test).
# The virtualenv is rebuilt only when a requirements file changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test bench chromium nginx
run: $(VENV)/.app
	$(BIN)/streamlit run serve.py --server.headless true --server.port $(PORT)

test: $(VENV)/.dev chromium nginx
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

bench: $(VENV)/.app
	$(BIN)/python bench/run.py

$(VENV)/.app: requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.app $@

# Debian's chromium drives the browser tests (never `playwright install`: no downloads here).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's nginx for tests/test_deploy.py (the deployed nginx.conf before two app processes; never started as a service).
nginx:
	@test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
