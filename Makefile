# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export WEB_PORT := $(PORT)
export PORTAIL_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test install browser lint bench clean translations

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

## make run: the whole portal (web, worker, timer, embedded Redis) on SQLite with demo data
run: install
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app demo-data --if-empty
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile start

## make test: every test (browser tests need Debian's chromium: installed here when root)
test: install browser
	$(BIN)/pytest $(PYTEST_ARGS)

browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null) \
	  || echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; }

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: install
	$(BIN)/pip install -q -e ".[test,bench]"
	$(BIN)/python -m bench.opening --duration 300 && $(BIN)/python -m bench.opening --duration 60
	$(BIN)/python -m bench.submit --measure 300 && $(BIN)/python -m bench.validator && $(BIN)/python -m bench.planning

clean:
	rm -rf instance

## make translations: compile the admin's French completions (blueprints/admin/translations)
translations: install
	$(BIN)/pybabel compile -d blueprints/admin/translations -D admin -l fr
