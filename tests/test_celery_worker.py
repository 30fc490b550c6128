"""A real Celery worker process, on the configured broker, runs the engine's tasks."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from catalog.importers import item_row
from catalog.models import Item
from catalog.services import items_import
from engine import tasks
from profiles.importers import InteractionRow
from profiles.models import ProfileRevision
from profiles.services import interactions_import
from recsite.tasks import beat_heartbeat
from tests.conftest import PROJECT_DIR, project_env
from tests.factories import make_item

WORKER_WAIT_SECONDS = 60


def purge_queues() -> None:
    """Empty this run's queues.

    Earlier tests in this run left tasks in them (pages and API calls that
    commit enqueue real work); a worker would take those first, one broker
    poll each, before reaching its own test's.
    """
    from recsite.celery import app

    with app.connection_for_write() as connection:
        for queue in settings.CELERY_TASK_QUEUES:
            connection.default_channel.queue_purge(queue.name)


def start_worker(*args: str, log: Path | None = None, **env: str) -> subprocess.Popen:
    """A real worker on this run's broker, consuming every one of this run's queues,
    in its own process group; its output goes to ``log`` when given, else a pipe."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "recsite", "worker",
            # No --queues: a worker consumes all of CELERY_TASK_QUEUES, which
            # tests/settings.py names after this run.
            "--concurrency", "1",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
            *args,
        ],
        cwd=PROJECT_DIR,
        env=project_env(**env),
        stdout=log.open("w") if log else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # fmt: skip


def stop_worker(process: subprocess.Popen) -> None:
    """Kill the worker and its pool: a warm shutdown takes seconds and is not under test."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def worker(transactional_db):
    purge_queues()
    process = start_worker()
    yield process
    stop_worker(process)


def wait_for(worker, condition) -> None:
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while not condition():
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_worker(worker)
            pytest.fail(f"the worker did not do the work; its output:\n{worker.communicate()[0]}")
        time.sleep(0.25)


def rating(user, item, value):
    return InteractionRow("test", 1, user, item, "rating", value, None)


def test_worker_updates_popularity_after_ratings_are_saved(worker):
    """Saving ratings enqueues (on commit) a popularity refresh that a live worker runs."""
    dune = make_item(external_id="dune")
    other = make_item(external_id="other")

    interactions_import(
        rows=[rating("ann", "dune", 5.0), rating("bob", "dune", 4.0), rating("ann", "other", 2.0)]
    )

    wait_for(worker, lambda: Item.objects.get(pk=dune.pk).popularity > 0)
    dune.refresh_from_db()
    assert dune.popularity == 2
    assert dune.rating_mean == pytest.approx(4.5)
    other.refresh_from_db()
    assert (other.popularity, other.rating_mean) == (1, 2.0)


def test_worker_embeds_imported_items_and_re_embeds_an_edited_one(worker):
    """Import and save both queue embedding on commit; a live worker does it."""
    rows = [
        item_row("test", n, {"external_id": f"w{n}", "title": title, "tags": ["test"]})
        for n, title in enumerate(["The Listening Array", "Sourdough Sundays"], start=1)
    ]
    items_import(rows=rows)
    wait_for(worker, lambda: not Item.objects.filter(embedding=None).exists())
    assert all(
        item.embedding_status(settings.EMBEDDING_MODEL) == "current" for item in Item.objects.all()
    )

    # Ratings queue a profile regeneration (never generated: due at once).
    interactions_import(rows=[rating("reader", "w1", 5.0), rating("reader", "w2", 4.5)])
    wait_for(
        worker, lambda: ProfileRevision.objects.filter(profile__user__username="reader").exists()
    )
    revision = ProfileRevision.objects.get(profile__user__username="reader")
    assert revision.cause == "generation"
    assert [s["polarity"] for s in revision.statements] == ["like"]
    assert {i for s in revision.statements for i in s["evidence"]} <= set(
        Item.objects.values_list("id", flat=True)
    )

    edited = Item.objects.get(external_id="w2")
    old_hash = edited.embedding_hash
    edited.title = "Rye Bread at Dawn"
    edited.save()
    wait_for(worker, lambda: Item.objects.get(pk=edited.pk).embedding_hash != old_hash)
    assert Item.objects.get(pk=edited.pk).embedding_status(settings.EMBEDDING_MODEL) == "current"


class TestQueues:
    def test_each_task_is_sent_to_its_own_queue_named_for_this_test_run(self, db):
        from recsite.celery import app

        prefix = f"test-{os.environ['RECSITE_TEST_RUN']}-"
        assert {queue.name for queue in settings.CELERY_TASK_QUEUES} == {
            f"{prefix}{name}" for name in ("celery", "embeddings", "profiles", "training")
        }
        purge_queues()
        tasks.items_embed.apply_async(kwargs={"item_ids": [1]})
        tasks.items_embed_missed.apply_async()
        tasks.profile_regenerate.apply_async(kwargs={"user_id": 1})
        tasks.profiles_refresh_stale.apply_async()
        tasks.items_popularity_catch_up.apply_async()
        tasks.item_popularity_refresh.apply_async(kwargs={"item_ids": [1]})
        tasks.collaborative_train.apply_async()
        beat_heartbeat.apply_async()

        found: dict[str, set[str]] = {}
        with app.connection_for_write() as broker:
            for queue in settings.CELERY_TASK_QUEUES:
                simple = broker.SimpleQueue(queue.name)
                while simple.qsize():
                    message = simple.get(timeout=2)
                    found.setdefault(queue.name, set()).add(message.headers["task"])
                    message.ack()
                simple.close()
        assert found == {
            f"{prefix}embeddings": {"engine.tasks.items_embed", "engine.tasks.items_embed_missed"},
            f"{prefix}profiles": {
                "engine.tasks.profile_regenerate",
                "engine.tasks.profiles_refresh_stale",
                "engine.tasks.item_popularity_refresh",
                "engine.tasks.items_popularity_catch_up",
                "recsite.tasks.beat_heartbeat",
            },
            f"{prefix}training": {"engine.tasks.collaborative_train"},
        }
