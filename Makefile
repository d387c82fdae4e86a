# ВМК — two commands: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
# Links in e-mail point at the development server on its port, unless BASE_URL is set.
BASE_URL ?= http://127.0.0.1:$(PORT)
export BASE_URL
export FLASK_APP := wsgi.py

.PHONY: run test venv dev-venv translations compile-translations extract-translations db demo lint format bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

compile-translations: venv
	$(PY) -m babel.messages.frontend compile -d translations --statistics

extract-translations: venv
	$(PY) -m babel.messages.frontend extract -F babel.cfg -w 120 -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output -o translations/messages.pot .
	$(PY) -m babel.messages.frontend update -i translations/messages.pot -d translations -w 120 --no-fuzzy-matching --ignore-obsolete

db: venv compile-translations
	$(PY) -m flask db upgrade

demo: db
	$(PY) -m flask seed-demo

# The mail worker runs alongside the development server (with no MAIL_SERVER it writes each e-mail to the log) and
# stops with it.
run: demo
	$(PY) -m flask mail worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) -m flask run --host 127.0.0.1 --port $(PORT)

test: dev-venv compile-translations
	$(PY) -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name '*.mo' -path './translations/*' -delete
