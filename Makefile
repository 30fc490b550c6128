# Two commands: `make demo` runs the site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DATASET ?= sample

.PHONY: demo test lint format clean chromium screenshots

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

# Chromium for the browser tests (tests/test_browser.py), from apt where we
# can (root with apt-get, as in CI); elsewhere those tests skip and say why.
CHROMIUM := /usr/bin/chromium

chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "$(CHROMIUM) is missing and installing it needs root and apt-get: browser tests will skip"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
		|| echo "apt-get could not install chromium: browser tests will skip"; fi

test: $(INSTALLED) $(HTMX) chromium lint
	$(BIN)/python -m pytest

# The README's pictures of the pages, taken by the browser tests.
screenshots: $(INSTALLED) $(HTMX) chromium
	RECSITE_SCREENSHOTS=docs/screenshots BROWSER_TESTS=required $(BIN)/python -m pytest -q -m browser

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var node_modules
