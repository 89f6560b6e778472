# herzdigital — the README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test lint format pin messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## make run: set everything up and start web, worker, beat (and the BBB simulator) in the foreground.
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py prepare_run
	@echo ""
	@echo "  herzdigital runs at http://127.0.0.1:$(PORT)/   (Ctrl-C stops everything)"
	@echo "  Demo logins (password: herzdigital-demo):"
	@echo "    vorstand@herzdigital.example    owner of TSV Beispielstadt e.V."
	@echo "    kassenwart@herzdigital.example  club admin"
	@echo "    mitglied@herzdigital.example    member"
	@echo "    staff@herzdigital.example       staff, /admin/ (sets up two-factor authentication first)"
	@echo "  Emails are printed to this console."
	@echo ""
	$(BIN)/honcho -f var/Procfile -d . start

## make test: set up the dev environment, lint, and run every test.
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py compile_translations
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the German and English catalogues (needs GNU gettext).
messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l de -l en --no-location --ignore '.venv/*' --ignore 'staticfiles/*'
	$(BIN)/python manage.py makemessages -d djangojs -l de -l en --no-location --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*'
	$(BIN)/python scripts/fill_german_catalogue.py

## Re-pin the requirements from the *.in files.
pin: | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.in -r requirements-dev.in

bench: $(VENV)/.dev
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) var staticfiles
