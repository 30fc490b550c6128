# Two commands: `make demo` runs the site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: the site's own packages (demo) and those plus the tests' and
# tools' (test, lint). Both install with requirements-lock.txt as pip's
# constraints, so every package, dependencies of dependencies included, gets
# the exact version the lock names: a fresh machine installs what CI tested.
RUNTIME := $(VENV)/.installed-runtime
INSTALLED := $(VENV)/.installed-dev
LOCK := requirements-lock.txt
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK)

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.version_info >= (3, 11) or sys.exit("Python 3.11 or newer is needed, this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt $(LOCK) | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(INSTALLED): requirements.txt requirements-dev.txt $(LOCK) | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@ $(RUNTIME)

# htmx for the website, from npm at the version package-lock.json pins;
# installed again only when that changes. Without npm the pages still work,
# without live previews and in-place updates.
HTMX := node_modules/htmx.org/dist/htmx.min.js

$(HTMX): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the website runs without htmx (no live preview)"; fi

demo: $(RUNTIME) $(HTMX)
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

# Solve requirements-lock.txt again after changing a requirements file (uv
# from PyPI: pip install uv). Versions already in the lock are kept where
# they still fit; add --upgrade to move everything to the newest releases.
lock:
	uv pip compile requirements-dev.txt --output-file $(LOCK) --universal --python-version 3.11

clean:
	rm -rf $(VENV) var node_modules
