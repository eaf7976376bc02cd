"""Shiller settings: one module, configured by the environment (and `.env` when present).

With no variables set, Shiller runs embedded: SQLite under the project and the in-memory
channel layer. `DATABASE_URL` (or the libpq `PG*` variables) and `REDIS_URL` switch it to
PostgreSQL and Redis; `USE_IN_MEMORY=true` forces the embedded default back.

Trainee names are personal data: `RETENTION_DAYS` (default 180) is how many days after a session
ended its trainee's name is kept; `manage.py anonymise_trainees`, run nightly, then replaces it
(the events, logged actions and scores stay, for the cohort).
"""

import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from shiller import lan

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEVELOPMENT_SECRET_KEY = "django-insecure-shiller-development-only"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("DEBUG=false needs a real SECRET_KEY (50 random characters).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# `make run LAN=1`: a sim room's laptop serves the tablets on its Wi-Fi. The tablets open it by
# the machine's address (LAN_ADDRESS, or the one its default route leaves by).
LAN = env.bool("LAN", default=False)


def _checked(name: str, check, expected: str) -> str:
    """An address setting as `check` writes it; one line and no start when it is not one."""
    value = env.str(name, default="")
    try:
        return check(value) if value else ""
    except ValueError:
        raise SystemExit(f"{name} is not {expected}.") from None


LAN_ADDRESS = _checked(
    "LAN_ADDRESS", lan.url_host, "an address: expected e.g. 192.168.1.20 (no scheme, no port)"
)
if LAN:
    _addresses = lan.machine_addresses()  # read once: psutil walks every interface
    LAN_ADDRESS = LAN_ADDRESS or next(iter(_addresses), "")
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, *lan.room_hosts(LAN_ADDRESS, _addresses)]
# daphne terminates TLS itself (make run CERT=... KEY=...): its websocket scope has no scheme,
# so this tells the origin check that the sockets are wss (shiller/middleware.py).
SERVES_TLS = env.bool("SERVES_TLS", default=False)
# A deployment's public origin (https://sim.example.org): join links and QR codes use it.
SITE_URL = _checked(
    "SITE_URL", lan.site_origin, "an origin: expected https://sim.example.org (no path)"
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
USE_IN_MEMORY = env.bool("USE_IN_MEMORY", default=False)

INSTALLED_APPS = [
    # daphne first, so that `runserver` serves the ASGI application.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "trainers",
    "live",
    "sessions_app",
    "library",
    "schools",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the rest: a static file needs no session, language or CSRF token.
    "shiller.staticfiles.StaticFilesMiddleware",
    "shiller.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shiller.urls"
WSGI_APPLICATION = "shiller.wsgi.application"
ASGI_APPLICATION = "shiller.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    # Set but empty, as a copied .env.example leaves it, is the same as unset.
    url = "" if USE_IN_MEMORY else env("DATABASE_URL", default="")
    if url:
        config = _database_url(url)
    elif not USE_IN_MEMORY and "PGDATABASE" in env:
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("PGDATABASE"),
            "USER": env("PGUSER", default=""),
            "PASSWORD": env("PGPASSWORD", default=""),
            "HOST": env("PGHOST", default=""),
            "PORT": env("PGPORT", default=""),
        }
    else:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
    if config["ENGINE"] == "django.db.backends.postgresql":
        from shiller import dbpool

        options = config.setdefault("OPTIONS", {})
        if env.bool("PGSSL", default=False):
            options["sslmode"] = "require"
        # Under ASGI every request may run in a different thread: persistent connections
        # leak there, so Django's psycopg pool hands them out instead (CONN_MAX_AGE must be 0).
        options["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=20),
            "timeout": env.int("DB_POOL_TIMEOUT", default=10),
            # The pool checks a connection before lending it: one killed by a server restart
            # or pg_terminate_backend is replaced instead of failing the next request. Without
            # a round trip on every lend (shiller/dbpool.py).
            "check": dbpool.check,
        }
        config["CONN_MAX_AGE"] = 0
        # Django's backend, taking the pool's check from the options (shiller/postgresql).
        config["ENGINE"] = "shiller.postgresql"
    return config


def _database_url(url: str) -> dict:
    """DATABASE_URL parsed, or a one-line error naming it (not showing it: it holds a password)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ's warning would print the whole URL.
        try:
            config = env.db_url_config(url)
        except ValueError:  # e.g. a port that is not a number
            config = {}
    if not config.get("ENGINE"):
        # SystemExit, not ImproperlyConfigured: one line, not a traceback, for a typo in .env.
        raise SystemExit(
            "DATABASE_URL is not a database URL: expected postgres://user:password@host:5432/name."
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = None if USE_IN_MEMORY else env("REDIS_URL", default=None)

CHANNEL_LAYER = env("CHANNEL_LAYER", default="pubsub")
if REDIS_URL and CHANNEL_LAYER == "pubsub":
    # Redis pub/sub: a group_send is one PUBLISH, and each server process receives it once
    # (live/fanout.py hands it to that process's sockets). No per-channel queues in
    # Redis, so no capacity to size and nothing stale left behind: a live monitor wants the
    # newest value now, and a screen that missed one resyncs from the snapshot.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
elif REDIS_URL:
    # The list-based layer, kept for comparison (bench/fanout.py, docs/performance.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 10},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Seconds a cache call may wait for Redis: throttles and viewer counts fail open (logged)
# when it is unreachable, so pages and sockets must not hang on it either.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # One connection pool per process, whatever the number of sockets (shiller/cache.py).
            "BACKEND": "shiller.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shiller",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Invitations go out by email: EMAIL_URL such as smtp+tls://user:password@host:587 (printed to
# the console by default, so that `make run` needs no mail server).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Shiller <shiller@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "trainers.Trainer"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "sessions:list"
LOGOUT_REDIRECT_URL = "sessions:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Unambiguous dates ("2 Dec 2026", "2 déc. 2026") in every language, never 12/02/2026.
FORMAT_MODULE_PATH = ["shiller.formats"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` puts the files that nginx (deploy/nginx.conf) or WhiteNoise serves.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production, names carry a hash of the content (monitor.3f2a….js), so they may be
    # cached for a year, with a .gz beside each for nginx's gzip_static; this needs
    # `collectstatic`. DEBUG serves the source files by their own names, as they are edited.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "shiller.staticfiles.HashedStaticFilesStorage"
    },
}
# One daphne process serves its own static files (make run, or no proxy): WhiteNoise reads
# them from STATIC_ROOT, or under DEBUG from the source folders, as they change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Session lengths a trainer may pick, in minutes.
SESSION_DEFAULT_MINUTES = 120
SESSION_MIN_MINUTES = 5
SESSION_MAX_MINUTES = 24 * 60

# Days a trainee's name is kept once the session ended (anonymise_trainees; README, Privacy).
RETENTION_DAYS = env.int("RETENTION_DAYS", default=180)
if RETENTION_DAYS < 1:
    raise SystemExit("RETENTION_DAYS is a number of days, 1 or more.")

# Websockets each server process accepts, per client address (a classroom behind one NAT is
# one address) and per session (its screens, and apart its control pages); more are refused
# with close code 4503, which the monitor page explains while it retries.
# Fewer per address than per session: one address cannot fill a session on its own.
MAX_SOCKETS_PER_ADDRESS = env.int("MAX_SOCKETS_PER_ADDRESS", default=100)
MAX_SOCKETS_PER_SESSION = env.int("MAX_SOCKETS_PER_SESSION", default=200)

# Largest request body accepted, in bytes. daphne refuses a larger one with a 413 as soon as
# its headers arrive, before reading it (shiller/bodylimit.py); set a proxy's own limit to
# match (nginx: client_max_body_size 1m). Shiller's largest form, a 30-step template with
# every note full of accented text, is under 200 kB.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# The form with the most fields: a 30-step template, each step with its values and the results
# it sends (61 fields), about 1,850 in all; Django's default of 1,000 would refuse it.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500
# The one larger body: an image result (a chest X-ray, a photographed ECG) posted to its action,
# up to RESULT_IMAGE_MAX_BYTES plus the form around it (shiller/bodylimit.py lets that path
# through up to MAX_UPLOAD_BODY_BYTES; deploy/nginx.conf has the same location).
RESULT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_BODY_BYTES = RESULT_IMAGE_MAX_BYTES + 64 * 1024
# An upload over this goes to a temporary file while it is read, not into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Where uploaded result images are kept: Django's storage API, local files by default; any
# backend in production through STORAGES. Never served as static files: only the session's
# screens and trainer get them, through sessions_app.views (MEDIA_URL is not routed).
# Set but empty, as a copied .env.example leaves it, is the default.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or BASE_DIR / "media")
MEDIA_URL = "/media/"

# Security: secure cookies and HSTS when served for real (DEBUG=false, behind HTTPS).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Scripts only from this origin, never inline; 'self' also covers this host's websockets.
# Inline style attributes stay allowed for the Django admin's templates.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)

# Guessing join codes or passwords does not pay: (attempts, seconds) windows of failures per
# client address (see shiller/throttle.py). Only failures count, and a right join code gets in
# whatever they are: a classroom behind one address is not held back by one trainee's typos.
JOIN_RATES = [(10, 60), (100, 24 * 60 * 60)]
# Past this even a right code waits. A 429 tells a wrong code from a right one, so the windows
# above slow guessing but do not bound it: this does, to 1,000 of the 31^6 codes per address a
# day. A classroom never types 1,000 wrong codes.
JOIN_CEILING = [(1000, 24 * 60 * 60)]
# Logins: failures per email and address, and, looser for an office of trainers behind one
# address, per address. Nothing counts per email alone: that would let anyone lock a trainer out.
LOGIN_RATES = [(10, 60), (100, 24 * 60 * 60)]
LOGIN_ADDRESS_RATES = [(30, 60), (300, 24 * 60 * 60)]
# Addresses or networks of our own reverse proxies ("10.0.0.0/8,::1"). A request from one of
# them counts against the right-most X-Forwarded-For entry that is not one of them; from anyone
# else X-Forwarded-For is ignored. Do not run daphne with --proxy-headers as well: it takes the
# left-most entry, which the client chooses.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# On SIGTERM a daphne process closes its sockets with 1012 (the pages reconnect to another
# one) and waits at most this long for them, and its HTTP requests, to finish (live/restart.py).
# Keep it under the process manager's own stop timeout (systemd's TimeoutStopSec, 90 s).
SHUTDOWN_DRAIN_SECONDS = env.float("SHUTDOWN_DRAIN_SECONDS", default=5.0)

# json: one JSON object per line (shiller/logs.py), for a log collector; text for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise SystemExit("LOG_FORMAT is json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "shiller.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
