"""A real Celery worker process, on the configured broker, runs the engine's tasks."""

import subprocess
import sys
import time

import pytest
from django.conf import settings

from catalog.importers import item_row
from catalog.models import Item
from catalog.services import items_import
from profiles.importers import InteractionRow
from profiles.models import ProfileRevision
from profiles.services import interactions_import
from tests.conftest import PROJECT_DIR, project_env
from tests.factories import make_item

WORKER_WAIT_SECONDS = 60


@pytest.fixture
def worker(transactional_db):
    # Earlier tests in this run left tasks in the queue (pages and API calls
    # that commit enqueue real work); a worker would take them first, one
    # broker poll each, before reaching this test's.
    from recsite.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
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


def wait_for(worker, condition) -> None:
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while not condition():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.terminate()
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
