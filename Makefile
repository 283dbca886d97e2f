# fhb — the two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo test test-unit test-integration test-dates lint bench bench-smoke browser messages clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here),
# poppler-utils for the PDF text tests, and HarfBuzz's subsetter (WeasyPrint's fast font path).
browser:
	@command -v pdftotext >/dev/null 2>&1 && ldconfig -p | grep -q libharfbuzz-subset || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq poppler-utils libharfbuzz-subset0 >/dev/null 2>&1 || true; fi; }
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null 2>&1)) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium not found: browser tests will be skipped"; fi; }

demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Serving fhb on http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:8000 --noreload

# Unit tests on in-memory SQLite with in-process Celery; then, where DATABASE_URL and REDIS_URL
# are set, the integration tests on PostgreSQL with Redis and a real Celery worker.
test: install browser test-unit
	@if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then $(MAKE) --no-print-directory test-integration; \
	 else echo "DATABASE_URL/REDIS_URL not set: integration tests not run"; fi

test-unit: install
	$(PY) -m pytest -m "not integration" -n 2 -q

# The whole suite again on PostgreSQL (the import's COPY path exists only there), plus the tests
# that need a real Celery worker.
test-integration: install
	FHB_INTEGRATION=1 $(PY) -m pytest -m "not browser" -q -p no:xdist

# The suite again with the clock at fixed dates (FHB_TEST_TODAY; any one of them by hand:
# `FHB_TEST_TODAY=2026-12-31 make test`): a year's last and first day, a Saturday, a leap day
# and a weekday in midsummer, each at 10:00 in Copenhagen unless a time is given.
TEST_DATES ?= 2026-12-31 2027-01-01 2026-12-05 2028-02-29 2027-06-16T16:45+02:00
test-dates: install browser
	@set -e; for day in $(TEST_DATES); do echo "== the suite on $$day"; \
	  FHB_TEST_TODAY=$$day $(MAKE) --no-print-directory test-unit; \
	  if [ -n "$$DATABASE_URL" ] && [ -n "$$REDIS_URL" ]; then \
	    FHB_TEST_TODAY=$$day $(MAKE) --no-print-directory test-integration; fi; \
	done

# Style, and the one-way architecture (.importlinter: layers, the pure law, no cycles).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

bench: install
	$(PY) bench/run.py

# Every benchmark at a small scale, so none can rot (CI runs it): the same code, a few seconds each.
bench-smoke: install
	cd bench && ../$(PY) import_citizens.py --rows 2000
	cd bench && ../$(PY) upload_memory.py --mb 2
	cd bench && ../$(PY) eligibility.py --citizens 20000
	cd bench && ../$(PY) workbench.py --citizens 20000
	cd bench && ../$(PY) dst_export.py --visits 20000 --citizens 6000
	cd bench && ../$(PY) dst_counts_writes.py --saves 20 --copy-rows 2000
	cd bench && ../$(PY) letters.py --letters 60 --workers 1
	cd bench && ../$(PY) pages.py --citizens 3000 --visits 2000
	cd bench && ../$(PY) load.py --citizens 2000 --visits 1000 --users 3 --seconds 5

# Needs gettext (apt-get install gettext); the compiled .mo files are committed.
messages:
	$(PY) manage.py makemessages -l en -v0 --ignore=node_modules --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=var
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules staticfiles var
