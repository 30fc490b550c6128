"""Settings come from the environment and fail loudly on bad values."""

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from recsite.env import envbool, envint, envlist
from tests.conftest import PROJECT_DIR


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the production settings module in a fresh process with ``env``."""
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "recsite.settings"}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=PROJECT_DIR,
        env={**base, **env},
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
        result = load_settings(
            DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@db.example:5432/recs"
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "django.db.backends.postgresql"]

    def test_database_url_must_be_postgresql(self):
        result = load_settings(DATABASE_URL="sqlite:///db.sqlite3")
        assert "DATABASE_URL must point to PostgreSQL" in result.stderr

    def test_a_garbled_boolean_names_the_variable(self):
        result = load_settings(DEBUG="maybe")
        assert "DEBUG must be a boolean" in result.stderr


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

    def test_envlist(self, monkeypatch):
        monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
        assert envlist("HOSTS", []) == ["a.example", "b.example"]
