# jiliang — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SEED   ?= 1
INSTRUMENTS ?= 50000
# The demo cities: both (延安市 and 阜新市, sharing INSTRUMENTS 60 : 40), yanan or fuxin.
CITY   ?= both
export PYTHONDONTWRITEBYTECODE := 1

# Development mode (plain HTTP on 127.0.0.1, a development secret key and signing key) only for these targets and what
# they run first. Every other target, `make serve` and `make migrate` on their own included, runs with the production
# settings the environment gives (docs/operations.md).
demo dev test bench seed: export JILIANG_DEV := 1
# The demo's certificates point their QR codes at the demo server.
demo: export JILIANG_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: demo dev test install install-test assets migrate seed serve bench lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# HTMX and ECharts come from the npm registry (package-lock.json) and are served as our own static files.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

jiliang/static/vendor/.built: node_modules/.package-lock.json
	mkdir -p jiliang/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js jiliang/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js jiliang/static/vendor/echarts.min.js
	# Noto Sans SC (SIL OFL 1.1), TrueType outlines: embedded, subset, in certificate and report PDFs.
	mkdir -p jiliang/static/vendor/fonts
	cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf jiliang/static/vendor/fonts/NotoSansSC-Regular.ttf
	cp node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf jiliang/static/vendor/fonts/NotoSansSC-Bold.ttf
	cp node_modules/@expo-google-fonts/noto-sans-sc/LICENSE_FONT jiliang/static/vendor/fonts/LICENSE-NotoSansSC.txt
	touch $@

assets: jiliang/static/vendor/.built

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

# The demo's year of history tells its owners of each decision as it happens; those text messages stay in memory
# (nobody to send them to, and one log line each would bury the seed's own output).
seed: migrate
	JILIANG_SMS_BACKEND=jiliang.notices.sms.MemoryBackend $(BIN)/python manage.py seed_city --seed $(SEED) --instruments $(INSTRUMENTS) --city $(CITY) --if-empty

# The demo runs the production server (gunicorn, DEBUG off: no debug page ever lists the URL patterns), on plain HTTP
# on 127.0.0.1 only, which is what JILIANG_DEV allows; three workers unless WEB_CONCURRENCY says otherwise (one
# person clicking needs no more, and a laptop's cores would otherwise each cost a process).
demo: install assets seed
	$(BIN)/python manage.py demo_logins
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	DEBUG=0 JILIANG_BIND=127.0.0.1:$(PORT) WEB_CONCURRENCY=$${WEB_CONCURRENCY:-3} $(BIN)/gunicorn -c deploy/gunicorn.conf.py

# For developers: Django's auto-reloading server with the debug pages.
dev: install assets migrate
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: gunicorn (deploy/gunicorn.conf.py: JILIANG_BIND, WEB_CONCURRENCY) with the settings of the environment
# (SECRET_KEY, JILIANG_PUBLIC_BASE_URL, ALLOWED_HOSTS …). It refuses to start while `check --deploy` warns.
serve: install assets
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py

# Browser tests run in one process of their own, sharing one Playwright instance (Playwright's sync API refuses
# to start a second one in the same thread; import browser helpers with `from .conftest import …`, never by the
# absolute module name, or the conftest is loaded twice and so is its session browser).
test: install-test assets
	$(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -p no:xdist -m browser $(PYTEST_ARGS)

bench: install-test assets
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# mypy reads its list of modules and the django-stubs settings from pyproject.toml ([tool.mypy]).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules jiliang/static/vendor var db.sqlite3*
