# One-command entry points. Everything a newcomer needs is installed from here:
# a virtualenv in .venv with the project and its dev tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup env run test lint typecheck bench clean browser frontend

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The console's softphone: Twilio's Voice JavaScript SDK from the npm registry, pinned by
# package-lock.json, bundled by esbuild into a static file the app serves (never committed,
# never from a CDN). Needs Node.js and npm; rebuilt when the lock or the entry file change.
VENDOR_JS := callcenter/console/static/vendor/twilio-voice.js
$(VENDOR_JS): package-lock.json callcenter/console/frontend/twilio-voice.js
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build

frontend: $(VENDOR_JS)

setup: $(STAMP) frontend env

# A local .env for the demo, filled in where it lacks a key (always run; cheap): a
# random Twilio auth token (so the demo checks signatures like production and
# `tongdai call` signs with the same token), a random SECRET_KEY (the server refuses to
# start without one) and DEMO_MODE. Keys already there are kept.
env:
	@mkdir -p var
	@grep -q '^TWILIO_AUTH_TOKEN=' .env 2>/dev/null || echo "TWILIO_AUTH_TOKEN=$$($(PYTHON) -c 'import secrets; print(secrets.token_hex(16))')" >> .env
	@grep -q '^SECRET_KEY=' .env || echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" >> .env
	@grep -q '^DEMO_MODE=' .env || echo "DEMO_MODE=true" >> .env

run: setup
	$(BIN)/tongdai db upgrade
	$(BIN)/tongdai demo seed
	@echo
	@echo "Hotline on http://$(HOST):$(PORT)  (console: http://$(HOST):$(PORT)/console)"
	@echo "Place a call from another terminal:  $(BIN)/tongdai call --url http://$(HOST):$(PORT)"
	@echo "  or scripted:                        $(BIN)/tongdai call --url http://$(HOST):$(PORT) --keys 2,90567#,1,1"
	@echo "Answer it as an operator:             $(BIN)/tongdai agent --url http://$(HOST):$(PORT) --user vanhanh"
	@echo
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" $(BIN)/uvicorn --factory callcenter.app:create_app --host $(HOST) --port $(PORT)

# Chromium from Debian's packages for the console's browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

test: setup browser
	$(BIN)/ruff check .
	$(BIN)/mypy ivr callcenter models
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy ivr callcenter models

bench: setup
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) var .env node_modules callcenter/console/static/vendor
