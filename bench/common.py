"""Shared set-up for benchmarks: a throw-away database with ml-latest-small.

Benchmarks never touch the site's own data: they run on a database of their
own (``bench_recsite`` on the configured server), created and migrated at the
start and dropped at the end, even on Ctrl-C.
"""

import functools
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("DATASETS_DIR", PROJECT_DIR.parent / "shared" / "datasets"))
# BENCH_DATABASE lets two benchmarks run side by side.
BENCH_DB = os.environ.get("BENCH_DATABASE", "bench_recsite")
VECTOR_CACHE = PROJECT_DIR / "var" / "bench"


def django_setup() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
    os.environ.setdefault("EMBEDDING_PRELOAD", "0")
    # A queue of its own: a demo worker must not take the benchmark's tasks.
    os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"bench-{os.getpid()}")
    import django

    django.setup()


@contextmanager
def bench_database(name: str = BENCH_DB):
    """Create, migrate and finally drop the benchmark database (``name``)."""
    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def import_movielens() -> float:
    """Import ml-latest-small with TMDB enrichment; returns seconds."""
    from django.core.management import call_command

    folder = DATASETS / "ml-latest-small"
    if not folder.is_dir():
        sys.exit(f"{folder} is missing: benchmarks need ../shared/datasets")
    started = time.perf_counter()
    call_command(
        "import_movielens",
        str(folder),
        tmdb_keywords=str(DATASETS / "the-movies-dataset/keywords.csv.gz"),
        tmdb_movies=str(DATASETS / "tmdb-5000-movies/tmdb_5000_movies.csv.gz"),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    return time.perf_counter() - started


def embed_with_cache() -> None:
    """Give every item its vector, reusing vectors cached by model and text hash."""
    from django.conf import settings

    from engine.indexing import items_embed, items_pending_embedding, store_vectors

    VECTOR_CACHE.mkdir(parents=True, exist_ok=True)
    cache_file = VECTOR_CACHE / f"vectors-{settings.EMBEDDING_MODEL.replace('/', '_')}.npz"
    cache = dict(np.load(cache_file)) if cache_file.exists() else {}
    pending = items_pending_embedding()
    hits = [state for state in pending if state.hash in cache]
    store_vectors(hits, [cache[state.hash] for state in hits])
    if len(hits) < len(pending):
        print(f"encoding {len(pending) - len(hits)} items not in {cache_file.name}...")
        items_embed()
        from catalog.models import Item

        for text_hash, vector in Item.objects.values_list("embedding_hash", "embedding"):
            cache[text_hash] = np.asarray(vector, dtype=np.float32)
        np.savez(cache_file, **cache)


def memory_encoder():
    """An encode(texts) -> vectors that keeps each phrase in memory: the
    evaluation's disk cache rewrites its file on each miss, too slow for the
    many short phrases the label benches read one at a time."""
    from engine.encoder import get_encoder

    phrases: dict[str, np.ndarray] = {}

    def encode(texts):
        missing = [t for t in dict.fromkeys(texts) if t not in phrases]
        if missing:
            phrases.update(zip(missing, get_encoder().encode(missing), strict=True))
        return np.stack([phrases[t] for t in texts])

    return encode


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def movielens_ready() -> float:
    """ml-latest-small imported, embedded, with popularity and a trained
    collaborative model, as the site has it after a day of work; returns the
    training's seconds."""
    from engine.services import item_popularity_refresh
    from engine.training import collaborative_train

    import_movielens()
    embed_with_cache()
    item_popularity_refresh()
    started = time.perf_counter()
    collaborative_train(force=True)
    return time.perf_counter() - started


def people_near(count: int, interactions: int = 200, *, password: str | None = None) -> list:
    """The ``count`` people whose history is closest to ``interactions`` long,
    activated (imported people cannot sign in until then), each with ``.n``,
    their number of interactions. ``password`` is set on each of them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    users = get_user_model().objects.annotate(n=Count("interactions")).filter(n__gt=0)
    chosen = sorted(users, key=lambda user: (abs(user.n - interactions), user.pk))[:count]
    if len(chosen) < count:
        sys.exit(f"only {len(chosen)} people have interactions; asked for {count}")
    hashed = make_password(password) if password else None  # the hasher is slow on purpose
    for user in chosen:
        user.is_active = True
        fields = ["is_active"]
        if hashed:
            user.password = hashed
            fields.append("password")
        user.save(update_fields=fields)
    return chosen


def profile_text_set(user, text: str) -> None:
    """Replace the person's profile with ``text``, as the editor's save does."""
    from profiles import services

    services.profile_edit(user=user, edit=services.ReplaceText(text))


@functools.cache
def _test_environment() -> None:
    """Django's test environment, once per process (a second call raises):
    it lets the in-process client in (ALLOWED_HOSTS)."""
    from django.test.utils import setup_test_environment

    setup_test_environment()


def signed_in_client(user):
    """An in-process test client signed in as ``user``, with the encoder warm."""
    from django.test import Client

    from engine.encoder import get_encoder

    get_encoder().encode(["warm up"])
    _test_environment()
    client = Client()
    client.force_login(user)
    return client
