"""Settings come from the environment and fail loudly on bad values."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from recsite.env import envbool, envint, envlist
from tests.conftest import PROJECT_DIR

PRODUCTION_ENV_FILE = PROJECT_DIR / "docs" / "production.env"
# What DEBUG=0 needs at the least (the rest has production defaults).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "recs.example.com",
    "DATABASE_URL": "postgres://u:p@db.example:5432/recs",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def load_settings(
    code: str = "print(s.DEBUG, s.DATABASES['default']['ENGINE'])", **env: str
) -> subprocess.CompletedProcess:
    """Import the production settings module in a fresh process with ``env``; run ``code``."""
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "recsite.settings"}
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; " + code],
        cwd=PROJECT_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def production_env_file() -> dict[str, str]:
    """docs/production.env, the environment docs/DEPLOY.md documents."""
    env = {}
    for line in PRODUCTION_ENV_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def check_deploy(env: dict[str, str], metrics_dir) -> subprocess.CompletedProcess:
    # The documented folder (under /run) is made by systemd; use one of the test's.
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "recsite.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestSettings:
    def test_local_defaults_just_run(self):
        result = load_settings()
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", "recsite.embedded_postgres"]

    def test_secret_key_is_required_when_debug_is_off(self):
        result = load_settings(DEBUG="0")
        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off" in result.stderr

    def test_database_url_selects_that_server(self):
        result = load_settings(**PRODUCTION)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "django.db.backends.postgresql"]

    def test_production_names_every_missing_server_setting(self):
        result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)
        assert result.returncode != 0
        assert (
            "ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL must be set when DEBUG is off"
            in result.stderr
        )

    def test_production_never_falls_back_to_the_embedded_database(self):
        result = load_settings(**{**PRODUCTION, "DATABASE_URL": ""})
        assert result.returncode != 0
        assert "DATABASE_URL must be set when DEBUG is off" in result.stderr

    def test_production_is_https_only_and_logs_json(self):
        result = load_settings(
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.LOG_FORMAT, s.STORAGES['staticfiles']['BACKEND'])",
            **PRODUCTION,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [
            "True",
            "True",
            "True",
            "json",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ]

    def test_development_keeps_plain_http_and_plain_logs(self):
        result = load_settings(
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.LOG_FORMAT)"
        )
        assert result.stdout.split() == ["False", "False", "plain"]

    def test_a_proxy_is_trusted_for_https_only_when_told(self):
        code = "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
        assert load_settings(code, **PRODUCTION).stdout.strip() == "None"
        trusted = load_settings(code, **PRODUCTION, TRUST_X_FORWARDED_PROTO="1")
        assert trusted.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"

    def test_a_replica_url_adds_a_replica_that_tests_mirror(self):
        result = load_settings(
            "r = s.DATABASES['replica']; print(r['HOST'], r['NAME'], r['TEST']['MIRROR'])",
            **PRODUCTION,
            DATABASE_REPLICA_URL="postgres://u:p@replica.example:5432/recs",
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["replica.example", "recs", "default"]

    def test_a_replica_url_must_be_postgresql(self):
        result = load_settings(DATABASE_REPLICA_URL="mysql://u:p@replica.example/recs")
        assert "DATABASE_REPLICA_URL must point to PostgreSQL" in result.stderr

    def test_metrics_networks_must_be_addresses(self):
        result = load_settings(METRICS_ALLOWED_NETWORKS="10.0.0.0/8,monitoring.internal")
        assert result.returncode != 0
        assert "METRICS_ALLOWED_NETWORKS: 'monitoring.internal' is not an address" in result.stderr

    def test_log_format_is_checked(self):
        result = load_settings(LOG_FORMAT="xml")
        assert "LOG_FORMAT must be plain or json, got 'xml'" in result.stderr

    def test_database_url_must_be_postgresql(self):
        result = load_settings(DATABASE_URL="sqlite:///db.sqlite3")
        assert "DATABASE_URL must point to PostgreSQL" in result.stderr

    def test_the_cache_is_each_process_s_own_memory_unless_a_cache_url_is_given(self):
        code = (
            "c = s.CACHES['default']; print(c['BACKEND'], c.get('LOCATION', '-'), c['KEY_PREFIX'])"
        )
        assert load_settings(code).stdout.split() == [
            "django.core.cache.backends.locmem.LocMemCache",
            "-",
            "recsite",
        ]
        shared = load_settings(code, CACHE_URL="redis://cache.example:6379/1")
        assert shared.returncode == 0, shared.stderr
        assert shared.stdout.split() == [
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.example:6379/1",
            "recsite",
        ]

    @pytest.mark.parametrize(
        ("url", "problem"),
        [
            ("memcached://cache.example:11211", "must start with redis://, rediss://, unix://"),
            ("cache.example:6379", "must start with redis://"),
            ("redis://", "must name a host"),
            ("redis://:secret@cache.example:port/1", "is not a valid URL"),
            ("redis://:secret@cache.example:6379/cache", "must be a database number"),
        ],
    )
    def test_a_bad_cache_url_stops_the_process_and_never_shows_the_password(self, url, problem):
        result = load_settings(CACHE_URL=url)
        assert result.returncode != 0
        assert "CACHE_URL" in result.stderr and problem in result.stderr
        assert "secret" not in result.stderr

    @pytest.mark.parametrize(
        "name",
        [
            "CATALOG_IMPORT_MAX_LINE_BYTES",
            "CATALOG_IMPORT_MAX_LABELS",
            "CATALOG_IMPORT_MAX_METADATA_BYTES",
            "CATALOG_IMPORT_MAX_UNPACKED_BYTES",
            "CATALOG_UPLOAD_MAX_UNPACKED_BYTES",
            "HEALTH_BEAT_SECONDS",
        ],
    )
    def test_limits_and_periods_must_be_positive(self, name):
        result = load_settings(**{name: "0"})
        assert result.returncode != 0
        assert f"{name} must be at least 1" in result.stderr

    def test_a_garbled_boolean_names_the_variable(self):
        result = load_settings(DEBUG="maybe")
        assert "DEBUG must be a boolean" in result.stderr


class TestCheckDeploy:
    def test_the_documented_production_environment_passes_without_warnings(self, tmp_path):
        result = check_deploy(production_env_file(), tmp_path)
        assert result.returncode == 0, result.stderr
        assert "System check identified no issues" in result.stdout

    def test_it_warns_when_the_documented_hardening_is_left_out(self, tmp_path):
        env = production_env_file()
        del env["SECURE_HSTS_SECONDS"]
        env["SESSION_COOKIE_SECURE"] = "0"
        result = check_deploy(env, tmp_path)
        assert result.returncode != 0
        assert "security.W004" in result.stderr  # HSTS
        assert "security.W012" in result.stderr  # session cookie over plain HTTP


class TestEnvHelpers:
    def test_envbool(self, monkeypatch):
        monkeypatch.setenv("FLAG", "yes")
        assert envbool("FLAG", False) is True
        monkeypatch.setenv("FLAG", "0")
        assert envbool("FLAG", True) is False
        monkeypatch.delenv("FLAG")
        assert envbool("FLAG", True) is True

    def test_envint_rejects_text(self, monkeypatch):
        monkeypatch.setenv("WORKERS", "four")
        with pytest.raises(ImproperlyConfigured, match="WORKERS must be an integer"):
            envint("WORKERS", 1)

    def test_envint_is_held_to_its_bounds(self, monkeypatch):
        monkeypatch.setenv("PORT", "70000")
        with pytest.raises(ImproperlyConfigured, match="PORT must be between 1 and 65535"):
            envint("PORT", 80, low=1, high=65535)
        monkeypatch.setenv("PORT", "0")
        with pytest.raises(ImproperlyConfigured, match="PORT must be at least 1, got 0"):
            envint("PORT", 80, low=1)
        monkeypatch.delenv("PORT")
        assert envint("PORT", 80, low=1, high=65535) == 80

    def test_envlist(self, monkeypatch):
        monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
        assert envlist("HOSTS", []) == ["a.example", "b.example"]
