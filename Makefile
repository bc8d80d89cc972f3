# One-command entry points. Everything a newcomer needs is installed from here:
# a virtualenv in .venv with the project and its dev tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup env public-url run test lint typecheck bench soak clean browser frontend

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

# Where `tongdai call` and the README's curl lines find the server: PUBLIC_BASE_URL in
# .env follows HOST and PORT (`make run PORT=8101`), unless it points somewhere else
# than this machine (a tunnel for a real Twilio number), which is kept as it is.
public-url:
	@$(PYTHON) -c 'import pathlib, re, sys; \
	env, url = pathlib.Path(".env"), sys.argv[1]; text = env.read_text() if env.exists() else ""; \
	found = re.search(r"^PUBLIC_BASE_URL=(.*)$$", text, re.M); \
	local = found is None or re.fullmatch(r"http://(127\.0\.0\.1|localhost)(:\d+)?/?", found.group(1).strip()); \
	text = text if not local else re.sub(r"^PUBLIC_BASE_URL=.*$$", "PUBLIC_BASE_URL=" + url, text, flags=re.M) if found \
	    else text + ("\n" if text and not text.endswith("\n") else "") + "PUBLIC_BASE_URL=" + url + "\n"; \
	env.write_text(text); \
	print("PUBLIC_BASE_URL=" + (url if local else found.group(1).strip()) + "  (.env)")' "http://$(HOST):$(PORT)"

run: setup public-url
	$(BIN)/tongdai db upgrade
	$(BIN)/tongdai demo seed
	@echo
	@echo "Hotline and console: http://$(HOST):$(PORT)/console   (API: http://$(HOST):$(PORT)/docs)"
	@echo "Place a call from another terminal, in this folder:"
	@echo
	@echo "  .venv/bin/tongdai call"
	@echo "  .venv/bin/tongdai call --keys 2,90567#,1,1"
	@echo "  .venv/bin/tongdai call --from 0905123456"
	@echo
	@echo "Answer a caller who pressed 0, as an operator, from a third terminal:"
	@echo
	@echo "  .venv/bin/tongdai agent --user vanhanh"
	@echo
	$(BIN)/uvicorn --factory callcenter.app:create_app --host $(HOST) --port $(PORT)

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
	rm -rf $(VENV) var .env node_modules callcenter/console/static/vendor
