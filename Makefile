# One-command entry points. Everything a newcomer needs is installed from here:
# a virtualenv in .venv with the project and its dev tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup env run test lint typecheck bench soak clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) env

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

# What an attacker or a fault tries first, against the app as `make run` starts it on a
# fresh temporary database: loopback only, bounded (a minute or two); prints what held.
soak: setup
	$(BIN)/python -m tests.soak.run

clean:
	rm -rf $(VENV) var .env
