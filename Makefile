# Shiller: `make run` serves the app, `make test` runs the tests. Both set themselves up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# make run LAN=1: listen on the network, for the tablets of a sim room; CERT and KEY (PEM files)
# serve it over HTTPS, daphne terminating TLS itself (see docs/room.md).
# The interface comes from the settings, so LAN in .env counts as on the command line.
LAN ?=
HOST ?= $(shell $(if $(LAN),LAN=$(LAN) )$(BIN)/python -m shiller.lan --interface)
PORT ?= 8000
CERT ?=
KEY ?=
LISTEN = $(if $(CERT),-e ssl:$(PORT):privateKey=$(KEY):certKey=$(CERT):interface=$(HOST),-b $(HOST) -p $(PORT))
RUN_ENV = $(if $(LAN),LAN=$(LAN) )$(if $(CERT),SERVES_TLS=true )
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/shiller
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
PG_START := pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
REDIS_START := redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

.PHONY: run test bench browser gettext nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createtrainer --demo
	@$(RUN_ENV)$(BIN)/python -m shiller.lan --port $(PORT)
	$(RUN_ENV)$(BIN)/daphne $(LISTEN) --websocket-max-message-size 16384 shiller.asgi:application

# The tests run against real PostgreSQL and Redis: started here when installed but stopped.
# Under CI=true a missing service fails the run; elsewhere the tests fall back to SQLite and
# the in-memory layer, with a warning.
test: $(VENV)/.dev browser gettext nginx
	@pg_up() { $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_DATABASE_URL)', dbname='postgres', connect_timeout=3).close()" 2>/dev/null; }; \
	redis_up() { $(BIN)/python -c "import redis; redis.Redis.from_url('$(TEST_REDIS_URL)', socket_timeout=3).ping()" 2>/dev/null; }; \
	pg_up || { command -v pg_ctlcluster >/dev/null && $(PG_START) && sleep 2; } || true; \
	redis_up || { command -v redis-server >/dev/null && $(REDIS_START) && sleep 1; } || true; \
	if pg_up && redis_up; then \
	  export DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)'; \
	elif [ "$$CI" = "true" ]; then \
	  echo "ERROR: PostgreSQL ($(TEST_DATABASE_URL)) or Redis ($(TEST_REDIS_URL)) does not answer, and CI=true." >&2; exit 1; \
	else \
	  echo "WARNING: PostgreSQL or Redis does not answer: testing on SQLite and the in-memory layer." >&2; \
	  export USE_IN_MEMORY=true; \
	fi; \
	if command -v node >/dev/null; then node --test --test-reporter=spec static/sessions_app/tests/; \
	elif [ "$$CI" = "true" ]; then echo "ERROR: node is needed for the waveform tests." >&2; exit 1; fi; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "WARNING: could not install chromium: the browser tests will say so." >&2

# GNU gettext for the test that runs makemessages (the committed django.mo needs no msgfmt).
gettext:
	@command -v xgettext >/dev/null || [ "$$(id -u)" != 0 ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } || \
	  echo "WARNING: could not install gettext: the makemessages test will say so." >&2

# Debian's nginx (and openssl) for the test of deploy/nginx.conf in front of daphne.
nginx:
	@{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null && command -v openssl >/dev/null || [ "$$(id -u)" != 0 ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null; } || \
	  echo "WARNING: could not install nginx: the proxy tests will say so." >&2

bench: $(VENV)/.dev
	$(BIN)/python bench/fanout.py $(BENCH_ARGS)
	$(BIN)/python bench/neighbours.py
	$(BIN)/python bench/debrief.py

clean:
	rm -rf $(VENV) .pytest_cache
