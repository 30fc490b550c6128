import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import make_user

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _remove_test_broker_folder():
    yield
    shutil.rmtree(settings.CELERY_FILESYSTEM_BROKER_DIR, ignore_errors=True)


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def other(db):
    return make_user("other")


@pytest.fixture
def staff(db):
    return make_user("staff", is_staff=True, is_superuser=True)


def project_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that must see this test's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "RECSITE_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
        **extra,
    }


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``manage.py`` in a child process against this test's database.

    Only meaningful in ``transaction=True`` tests: the child sees committed rows only.
    """
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=project_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
