# The two commands of the Quick start, and what they stand on.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
TRANSLATIONS := guestrel/translations
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: setup run test bench translations extract-messages migrate-db demo-data clean

setup: $(STAMP) translations

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml $(PLUGINS)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e . $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

extract-messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

migrate-db: setup
	$(FLASK) db upgrade

demo-data: migrate-db
	$(FLASK) guestrel seed-demo

run: demo-data
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: setup
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
