# Two commands are the contract with users: `make run` and `make test`.
# When DATABASE_URL is unset, scripts/with_db.py starts (or reuses) an embedded PostgreSQL
# under .data/ and passes its URL on; when it is set, that server is used as is.

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
WITH_DB := $(PY) scripts/with_db.py
MANAGE := $(WITH_DB) $(PY) manage.py
SHARED_DATA ?= ../shared/data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run migrate communes demo test quality format smoke db-stop clean browser-deps test-browser

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# JavaScript libraries from npm (package-lock.json), served from our static files (settings.STATICFILES_DIRS).
NODE_DEPS := node_modules/.package-lock.json
$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed $(NODE_DEPS)

migrate: install
	$(MANAGE) migrate --noinput

# Communes from the shared files when present, else from geo.api.gouv.fr.
communes: migrate
	@if [ -d "$(SHARED_DATA)" ] && [ -f "$(SHARED_DATA)/communes.csv.gz" ]; then \
		$(MANAGE) import_communes "$(SHARED_DATA)"; \
	else \
		$(MANAGE) import_communes; \
	fi

# A demo dataset around big cities (Lille, Lyon, Paris, Marseille) and rural areas (Creuse,
# Lozère), generated once by `python -m demo` from the communes file (the shared one, else the commune
# table written out: the communes came from geo.api.gouv.fr), then imported like real open data (a
# re-import changes nothing).
DEMO_DIR := .data/demo
DEMO_DEPARTEMENTS ?= 59,69,75,13,23,48
COMMUNES_CSV := $(if $(wildcard $(SHARED_DATA)/communes.csv.gz),$(SHARED_DATA)/communes.csv.gz,.data/communes.csv.gz)

demo: communes
	@test -f $(DEMO_DIR)/services.json || { \
		{ test -f $(COMMUNES_CSV) || $(MANAGE) export_communes $(COMMUNES_CSV); } && \
		$(PY) -m demo --structures 2500 --services 3500 --departements $(DEMO_DEPARTEMENTS) \
			--communes $(COMMUNES_CSV) --out $(DEMO_DIR); }
	$(MANAGE) import_datainclusion $(DEMO_DIR)

run: demo
	$(MANAGE) runserver $(HOST):$(PORT)

# Both cores (pytest-xdist). A quicker run without the browser and server-level tests:
# make test PYTEST_ARGS="-m 'not browser and not server'"
test: install
	$(WITH_DB) $(PY) -m pytest -n auto $(PYTEST_ARGS)

# Browser tests only (pytest marker "browser": Playwright driving Debian's Chromium, axe-core from npm).
# Needs `apt-get install chromium` and npm; `make test` runs them too, or skips them saying what is missing.
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

browser-deps: $(BROWSER_DEPS)

test-browser: install browser-deps
	BROWSER_TESTS_REQUIRED=1 $(WITH_DB) $(PY) -m pytest -m browser $(PYTEST_ARGS)

quality: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint --check templates
	$(VENV)/bin/djlint --lint templates
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/djlint --reformat templates

# Migrate and serve one page on the current database (used by CI on the embedded path).
smoke: install
	$(WITH_DB) bash scripts/smoke.sh

db-stop:
	-$(PY) scripts/with_db.py --stop

clean: db-stop
	rm -rf $(VENV) .data staticfiles

# Benchmarks on national-size demo data (100,000 structures, 140,000 services), in a
# dedicated database "inclusion_bench" on the same server (BENCH_SEARCH_DATABASE=… for another). Results in
# bench/results/. BENCH_AGAINST=<git ref> also measures that checkout in the same run, side by side
# (bench-search, loadtest); each prints a machine reference (bench/machine.py) beside its figures.
.PHONY: bench bench-import bench-search bench-territories profile-search
bench: bench-import bench-search bench-territories

bench-import: install
	$(WITH_DB) $(PY) -m bench.bench_import

bench-search: install
	$(WITH_DB) $(PY) -m bench.bench_search

bench-territories: install
	$(WITH_DB) $(PY) -m bench.bench_territories

# Where a search's time goes, per template and per Python step (cProfile, in process).
profile-search: install
	$(WITH_DB) $(PY) -m bench.profile_search

# Load test: the search mix at increasing concurrency (60 s a step), cached and uncached, against gunicorn with 2
# then 4 workers on inclusion_bench (searches/s per core), then an import and curators' saves under load.
# LOADTEST_ARGS="--duration 10" for a short run.
.PHONY: loadtest
loadtest: install
	$(WITH_DB) $(PY) -m bench.loadtest --import-during-load --saves-during-load 100 $(LOADTEST_ARGS)

# Production serving on this machine: prod settings from the environment (SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL, optionally REDIS_URL, DATABASE_REPLICA_URLS…), hashed and compressed static files, migrations,
# then gunicorn with gunicorn.conf.py. With several app servers, run `migrate` once per release instead.
.PHONY: serve-prod
serve-prod: install
	DJANGO_SETTINGS_MODULE=inclusion_site.settings.prod $(WITH_DB) bash -c '\
		$(PY) manage.py collectstatic --noinput -v 0 && $(PY) manage.py migrate --noinput && \
		exec $(VENV)/bin/gunicorn --config gunicorn.conf.py'
