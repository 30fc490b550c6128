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
SAMPLE_ITEMS = PROJECT_DIR / "catalog/sample_data/items.jsonl"
SAMPLE_INTERACTIONS = PROJECT_DIR / "profiles/sample_data/interactions.csv"


@pytest.fixture(scope="session", autouse=True)
def _remove_test_broker_folder():
    yield
    shutil.rmtree(settings.CELERY_FILESYSTEM_BROKER_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_process_state(monkeypatch):
    """Start every test from what a new web process holds, whatever ran before it.

    State a process rightly keeps between requests, but that one test must
    not hand to the next (this is the one place it is reset):
    - the Django cache (local memory unless CACHES names a shared one): the
      API throttles' and the log-in limits' counts. Clients in tests share
      127.0.0.1, so one test's failed log-ins or requests would count
      against a later test's;
    - recsite.queueing's pause after the broker failed: for
      TASK_PUBLISH_PAUSE_SECONDS every task would be dropped unsent;
    - engine.receivers' debounce of collaborative training: a rating saved
      by one test would keep the next test's ratings from queueing one.
    Caches of what is in the database are not reset here: they are keyed on
    the catalog (engine.profiles.catalog_label_counts, engine.recommend.
    catalog_stats), so a test's own catalog is never served another's.
    """
    from django.core.cache import cache

    from engine import receivers
    from recsite import queueing

    cache.clear()
    monkeypatch.setattr(queueing, "_paused_until", 0.0)
    monkeypatch.setattr(receivers, "_training_queued_at", -float("inf"))


@pytest.fixture(scope="module", autouse=True)
def _vacuumed_catalog(django_db_setup, django_db_blocker):
    """Clear the rows earlier tests rolled back out of the item table and its HNSW index.

    Every test that builds a catalog and rolls back leaves dead entries in the
    index graph. Hundreds of them bury the live items: an index scan spends
    pgvector's hnsw.max_scan_tuples on the dead and returns too few or the
    wrong neighbours. Autovacuum would clean them, but not on a test's clock.
    """
    if connection.settings_dict["NAME"] != settings.DATABASES["default"]["TEST"]["NAME"]:
        # pytest-django makes no test database for a run whose tests never
        # use one (tests/test_settings.py alone): nothing to clean.
        return
    vacuum_catalog(django_db_blocker)


def vacuum_catalog(django_db_blocker) -> None:
    """VACUUM the item table (outside any test's transaction)."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("VACUUM catalog_item")


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
        "DATABASE_NAME": connection.settings_dict["NAME"],
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


@pytest.fixture(scope="session")
def sample_vectors() -> dict[str, object]:
    """The encoder's vectors for the sample catalog, computed once per test run."""
    from catalog.importers import read_items_jsonl
    from catalog.text import item_text_of
    from engine.encoder import get_encoder

    rows = read_items_jsonl(SAMPLE_ITEMS)
    texts = [item_text_of(row.values) for row in rows]
    vectors = get_encoder().encode(texts)
    return {row.external_id: vector for row, vector in zip(rows, vectors, strict=True)}


@pytest.fixture
def sample_catalog(db, sample_vectors):
    """The sample catalog, imported and embedded (vectors stored by the indexing code)."""
    from catalog.importers import read_items_jsonl
    from catalog.models import Item
    from catalog.services import items_import
    from engine.indexing import items_pending_embedding, store_vectors

    items_import(rows=read_items_jsonl(SAMPLE_ITEMS))
    pending = items_pending_embedding()
    ids = dict(Item.objects.values_list("id", "external_id"))
    store_vectors(pending, [sample_vectors[ids[state.id]] for state in pending])
    return {item.external_id: item for item in Item.objects.defer("embedding")}


@pytest.fixture
def readers(sample_catalog):
    """The sample catalog (embedded) and the sample readers' interactions."""
    from django.contrib.auth import get_user_model

    from profiles.importers import read_interactions_csv
    from profiles.services import interactions_import

    interactions_import(rows=read_interactions_csv(SAMPLE_INTERACTIONS))
    users = get_user_model().objects.filter(interactions__isnull=False).distinct()
    return {user.username: user for user in users}


def pytest_terminal_summary(terminalreporter, config) -> None:
    """Name the test order's seed again at the end, where a failure is read.

    pytest-randomly prints it in the header, which -q hides and a long log
    scrolls away.
    """
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.getoption("randomly_reorganize", True):
        terminalreporter.write_line(
            f"Tests ran in a random order: --randomly-seed={seed} repeats it."
        )
