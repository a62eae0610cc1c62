# Two commands: `make run` serves the demo borough; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar
export FLASK_APP := wsgi

.PHONY: run test lint bench bench-rest static messages translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# 2 sync workers, the app loaded once and shared (docs/decisions.md: the worker model).
# The demo runs on plain http on your own machine, so its cookies cannot be Secure-only;
# a real deployment keeps the default (COOKIE_SECURE=1) behind HTTPS and sets BASE_URL.
# Notifications carry a reply address (README: reply by email) for `flask mail receive`.
# Each worker runs the scheduled jobs when due (digests, reminders, the bulletin), no cron.
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: export TRUSTED_HOSTS ?= 127.0.0.1,localhost
run: export COOKIE_SECURE ?= 0
run: export MAIL_REPLY_ADDRESS ?= reply@reply.localhost
run: export JOBS_IN_WORKERS ?= 1
run: $(VENV)/.installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	exec $(BIN)/gunicorn --workers 2 --preload \
		--bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The suite over TEST_WORKERS processes (pytest-xdist); the browser tests, the W3C pages and
# the Redis tests each keep to one worker (tests/conftest.py, XDIST_GROUPS).
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test $(VNU_JAR) translations
	$(BIN)/ruff check network tests bench
	$(BIN)/bandit --quiet --recursive network --severity-level medium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# The W3C Nu HTML checker that tests/test_html.py runs (with Java) over every page: vnu.jar
# from npm, the version in package-lock.json, no install scripts. Without npm that test is
# skipped with a message (and fails in CI).
$(VNU_JAR): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the W3C HTML checker test will be skipped."; fi

# Every page's cost beside /healthz, as one table (bench/results/ keeps it as JSON); search at
# 100,000 posts; then 300 users reading and writing for 60 s with a worker killed, and with
# PostgreSQL restarted (BENCH_POSTGRES_URL=postgresql+psycopg://... for PostgreSQL too).
# BENCH_ARGS="--quick" for a 2-minute page table; "--threads 1" for sync workers;
# `python -m bench.report --help` for the rest; RESILIENCE_ARGS="--seconds 15" for a shorter
# fault run. Install wrk for the HTTP figures.
# BENCH_ARGS=--large: the large borough beside the demo on PostgreSQL (bench/sizes.py), alone.
BENCH_ARGS ?=
RESILIENCE_ARGS ?=
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.report $(BENCH_ARGS)
	@case " $(BENCH_ARGS) " in *" --large "*) exit 0;; esac; $(MAKE) --no-print-directory bench-rest

# The rest of `make bench` (not with --large, which measures the large borough only).
bench-rest: $(VENV)/.installed-test
	$(BIN)/python -m bench.recurrence
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.resilience $(RESILIENCE_ARGS)

# htmx and our own script travel as one file: one request, cached for a year.
static: static/js/bundle.js
static/js/bundle.js: static/js/htmx.min.js static/js/site.js
	cat static/js/htmx.min.js static/js/site.js > $@

# The English text in the code and templates, extracted to messages.pot, and every language's
# catalogue brought up to date with it (new messages empty, changed ones marked fuzzy):
# translators then fill network/translations/<code>/LC_MESSAGES/messages.po.
# A new language: pybabel init -i network/translations/messages.pot -d network/translations -l <code>
# --ignore-dirs: pybabel's default skips folders named _* too, and so templates/_macros and
# templates/_partials (tests/test_catalogue.py reads the same list from here).
IGNORED_FOLDERS := .* __pycache__ node_modules
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
		--ignore-dirs '$(IGNORED_FOLDERS)' \
		--no-wrap --sort-by-file -o network/translations/messages.pot .
	@if ls network/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update -i network/translations/messages.pot -d network/translations \
			--no-wrap --ignore-obsolete; fi

# Each catalogue compiled (messages.po -> messages.mo, which git ignores): a language is
# offered once its .mo is there (network/core/i18n.py).
CATALOGUES := $(wildcard network/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)
network/translations/%/LC_MESSAGES/messages.mo: network/translations/%/LC_MESSAGES/messages.po \
		| $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@ -l $*
