# Two commands: `make demo` runs the site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DATASET ?= sample

.PHONY: demo test lint format clean

$(INSTALLED): requirements.txt
	@$(PYTHON) -c 'import sys; sys.version_info >= (3, 11) or sys.exit("Python 3.11 or newer is needed, this is " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# htmx for the website, from npm at the version package-lock.json pins;
# installed again only when that changes. Without npm the pages still work,
# without live previews and in-place updates.
HTMX := node_modules/htmx.org/dist/htmx.min.js

$(HTMX): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the website runs without htmx (no live preview)"; fi

demo: $(INSTALLED) $(HTMX)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --dataset $(DATASET)
	$(BIN)/python manage.py demo

test: $(INSTALLED) $(HTMX) lint
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var node_modules
