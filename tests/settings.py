"""Settings for the test suite: the site's settings, isolated per test run.

One test run (and the worker processes it starts, which inherit the
environment) shares a run id; it names the test database, the Celery queues
(every queue name starts with it), the beat schedule and the filesystem
broker folder, so two runs on one machine never touch each
other's data or messages, and a demo worker never sees a test's task.
"""

import os
from pathlib import Path

RUN_ID = os.environ.setdefault("RECSITE_TEST_RUN", str(os.getpid()))
_var = Path(__file__).resolve().parent.parent / "var"
os.environ.setdefault("CELERY_FILESYSTEM_BROKER_DIR", str(_var / "test" / f"celery-{RUN_ID}"))
os.environ.setdefault("CELERY_QUEUE_PREFIX", f"test-{RUN_ID}-")

from recsite.settings import *  # noqa: E402, F403
from recsite.settings import CELERY_BROKER_URL, CELERY_FILESYSTEM_BROKER_DIR, DATABASES  # noqa: E402

# A worker or command started by a test is given DATABASE_NAME, the name of
# this run's test database (see tests/conftest.py: project_env).
DATABASES["default"]["TEST"] = {"NAME": f"test_recsite_{RUN_ID}"}

# A worker started with -B by a test keeps its schedule with the run's broker.
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_FILESYSTEM_BROKER_DIR / "celerybeat-schedule")

# Tests wait for workers: an idle worker looks for new tasks every 0.2 s, not
# every second (the filesystem broker is polled).
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405 (set for this broker only)
        "polling_interval": 0.2,
    }
# A worker whose pool process died waits this long for the dead process's
# result before handing its task back (WorkerLostError); tasks keep no
# results, so there is nothing to wait for, and the default 10 s would only
# slow the tests of killed workers.
CELERY_WORKER_LOST_WAIT = 1

# Hashing passwords slowly protects real accounts; tests have none.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test builds its own catalog: check the catalog's statistics on every
# request rather than keep one test's numbers for the next.
RECOMMEND_STATS_SECONDS = 0
