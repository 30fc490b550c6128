"""Settings for the test suite: the site's settings, isolated per test run.

One test run (and the worker processes it starts, which inherit the
environment) shares a run id; it names the test database, the Celery queue
and the filesystem broker folder, so two runs on one machine never touch each
other's data or messages, and a demo worker never sees a test's task.
"""

import os
from pathlib import Path

RUN_ID = os.environ.setdefault("RECSITE_TEST_RUN", str(os.getpid()))
_var = Path(__file__).resolve().parent.parent / "var"
os.environ.setdefault("CELERY_FILESYSTEM_BROKER_DIR", str(_var / "test" / f"celery-{RUN_ID}"))
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"test-{RUN_ID}")

from recsite.settings import *  # noqa: E402, F403
from recsite.settings import DATABASES  # noqa: E402

# A worker or command started by a test is given DATABASE_NAME, the name of
# this run's test database (see tests/conftest.py: project_env).
DATABASES["default"]["TEST"] = {"NAME": f"test_recsite_{RUN_ID}"}

# Hashing passwords slowly protects real accounts; tests have none.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test builds its own catalog: check the catalog's statistics on every
# request rather than keep one test's numbers for the next.
RECOMMEND_STATS_SECONDS = 0
