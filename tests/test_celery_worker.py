"""A real Celery worker process, on the configured broker, runs the engine's tasks."""

import subprocess
import sys
import time

import pytest
from django.conf import settings

from profiles.importers import InteractionRow
from profiles.services import interactions_import
from tests.conftest import PROJECT_DIR, project_env
from tests.factories import make_item

WORKER_WAIT_SECONDS = 60


@pytest.fixture
def worker(transactional_db):
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "recsite", "worker",
            "--queues", settings.CELERY_TASK_DEFAULT_QUEUE,
            "--concurrency", "1",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ],
        cwd=PROJECT_DIR,
        env=project_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rating(user, item, value):
    return InteractionRow("test", 1, user, item, "rating", value, None)


def test_worker_updates_popularity_after_ratings_are_saved(worker):
    """Saving ratings enqueues (on commit) a popularity refresh that a live worker runs."""
    dune = make_item(external_id="dune")
    other = make_item(external_id="other")

    interactions_import(
        rows=[rating("ann", "dune", 5.0), rating("bob", "dune", 4.0), rating("ann", "other", 2.0)]
    )

    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while time.monotonic() < deadline:
        dune.refresh_from_db()
        if dune.popularity:
            break
        assert worker.poll() is None, "the worker exited early"
        time.sleep(0.25)
    else:
        worker.terminate()
        pytest.fail(f"the worker did not run the task; its output:\n{worker.communicate()[0]}")

    assert dune.popularity == 2
    assert dune.rating_mean == pytest.approx(4.5)
    other.refresh_from_db()
    assert (other.popularity, other.rating_mean) == (1, 2.0)
