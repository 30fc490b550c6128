"""Training the collaborative model from interactions, and reading it for serving.

The numbers are in engine.collaborative; this module reads the positives,
writes what serving needs (one ItemNeighbours row per item) and switches the
active model. Serving only ever calls ``active_model`` and
``item_neighbours``: it never trains.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import FloatField, Func, Q

from engine import collaborative
from engine.models import CollaborativeModel, ItemNeighbours
from engine.retrieval import fetch_binary
from profiles.models import Interaction
from recsite.errors import ApplicationError

logger = logging.getLogger(__name__)

# Interaction.is_positive as a query: a rating of 4 or more, or a like
# (tests/test_collaborative_training.py checks the two agree).
POSITIVE = Q(kind=Interaction.Kind.RATING, value__gte=4) | Q(kind=Interaction.Kind.LIKE)

# Two-key advisory lock: (space, key). The profile generator uses space 7301
# with user ids as keys; training is one job for the whole site.
TRAINING_LOCK_SPACE = 7302
TRAINING_LOCK_KEY = 0


class TrainingBusy(ApplicationError):
    """Another process is training the collaborative model right now."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("The collaborative model is being trained by another process.")


def training_config(*, dense_max_items: int | None = None) -> collaborative.TrainingConfig:
    """The core's configuration from settings (``dense_max_items`` overrides)."""
    config = collaborative.TrainingConfig(
        dense_max_items=settings.COLLABORATIVE_DENSE_MAX_ITEMS,
        neighbours=settings.COLLABORATIVE_NEIGHBOURS,
        min_support=settings.COLLABORATIVE_MIN_SUPPORT,
        shrinkage=float(settings.COLLABORATIVE_SHRINKAGE),
    )
    if dense_max_items is not None:
        config = replace(config, dense_max_items=dense_max_items)
    return config


# Positives read per round trip: 100,000 rows are 2.4 MB as arrays.
READ_CHUNK = 100_000


def positives_read() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every positive on an active item: (user ids, item ids, epoch seconds).

    Read through a server-side cursor READ_CHUNK rows at a time into arrays:
    a few million positives as Python tuples would cost hundreds of MB.
    """
    query = (
        Interaction.objects.filter(POSITIVE, item__is_active=True)
        .order_by()
        .annotate(epoch=_EPOCH)
        .values_list("user_id", "item_id", "epoch")
    )
    sql, params = query.query.sql_with_params()
    chunks = [np.zeros((0, 3), dtype=np.float64)]
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(READ_CHUNK):
            # Ids below 2**53 are exact as float64.
            chunks.append(np.array(rows, dtype=np.float64))
    read = np.concatenate(chunks)
    return read[:, 0].astype(np.int64), read[:, 1].astype(np.int64), read[:, 2].copy()


# Seconds since the epoch, computed by PostgreSQL: reading datetimes and
# converting them took 0.21 s for ml-latest-small's 48,580 positives, this
# 0.08 s.
_EPOCH = Func(
    "timestamp", template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField()
)


def active_model() -> CollaborativeModel | None:
    """The model serving should use: the newest active one, if any."""
    return CollaborativeModel.objects.filter(is_active=True).order_by("-trained_at", "-id").first()


@dataclass(frozen=True)
class NeighbourRows:
    """Trained neighbours of some items, CSR-like: row ``n`` is the neighbours of
    ``sources[n]``: ``neighbours[indptr[n]:indptr[n+1]]`` with ``scores``."""

    sources: np.ndarray  # item ids
    indptr: np.ndarray
    neighbours: np.ndarray  # item ids
    scores: np.ndarray

    @classmethod
    def empty(cls, sources: Sequence[int] = ()) -> "NeighbourRows":
        sources = np.asarray(list(sources), dtype=np.int64)
        return cls(
            sources, np.zeros(len(sources) + 1, dtype=np.int64), np.zeros(0, np.int64), np.zeros(0)
        )

    def row_of(self) -> np.ndarray:
        """The source row of every neighbour entry."""
        return np.repeat(np.arange(len(self.sources)), np.diff(self.indptr))


# PostgreSQL's binary form of a one-dimensional array without NULLs (what
# array_send returns): dimensions, a flags word and the element type, then
# the length and lower bound of the one dimension (absent when empty), then
# each element as its length and its big-endian value.
_ARRAY_HEADER = 20
_INT8_ELEMENTS = np.dtype([("length", ">i4"), ("value", ">i8")])
_FLOAT8_ELEMENTS = np.dtype([("length", ">i4"), ("value", ">f8")])


def neighbour_rows(*, model_id: int | None, item_ids: Sequence[int]) -> NeighbourRows:
    """The trained neighbours of ``item_ids`` as arrays, in one indexed query.

    Each row's arrays come as their binary form (array_send) and numpy parses
    them: a thousand rows of 200 neighbours built as Python ints and floats
    first cost about 20 ms more than the query, and a person's 1,000
    positives a second as tuples. Items without neighbours (too little
    support, unknown to the model) get empty rows. Serving reads through
    ``engine.neighbour_cache``, which keeps the rows it read.
    """
    wanted = list(dict.fromkeys(int(item_id) for item_id in item_ids))
    if model_id is None or not wanted:
        return NeighbourRows.empty(wanted)
    found = {
        item_id: (neighbours, scores)
        for item_id, neighbours, scores in fetch_binary(
            "SELECT item_id, array_send(neighbour_ids), array_send(scores) "
            "FROM engine_itemneighbours WHERE model_id = %s AND item_id = ANY(%s)",
            [model_id, wanted],
        )
    }
    present = [found[item_id] for item_id in wanted if item_id in found]
    neighbours = np.frombuffer(
        b"".join(bytes(n)[_ARRAY_HEADER:] for n, _ in present), dtype=_INT8_ELEMENTS
    )["value"].astype(np.int64)
    scores = np.frombuffer(
        b"".join(bytes(s)[_ARRAY_HEADER:] for _, s in present), dtype=_FLOAT8_ELEMENTS
    )["value"].astype(np.float64)
    counts = [
        (len(found[i][0]) - _ARRAY_HEADER) // _INT8_ELEMENTS.itemsize
        if i in found and len(found[i][0]) > _ARRAY_HEADER
        else 0
        for i in wanted
    ]
    return NeighbourRows(
        sources=np.asarray(wanted, dtype=np.int64),
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        neighbours=neighbours,
        scores=scores,
    )


def item_neighbours(
    *, model_id: int, item_ids: Sequence[int]
) -> dict[int, list[tuple[int, float]]]:
    """Each given item's (neighbour id, score) list in the model, best first.

    One indexed query (the unique (model, item) index). Items without
    neighbours in the model (too little support, or unknown) map to [], as
    does everything once the model has been replaced and deleted.
    """
    wanted = list(dict.fromkeys(int(item_id) for item_id in item_ids))
    found = {
        item_id: list(zip(neighbour_ids, scores, strict=True))
        for item_id, neighbour_ids, scores in ItemNeighbours.objects.filter(
            model_id=model_id, item_id__in=wanted
        ).values_list("item_id", "neighbour_ids", "scores")
    }
    return {item_id: found.get(item_id, []) for item_id in wanted}


# Kept whole (over 60 lines, most of it the docstring): the lock, the
# fingerprint check and the write must read as one guarded sequence, and the
# progress closures share its running total.
def collaborative_train(
    *,
    force: bool = False,
    dense_max_items: int | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> CollaborativeModel | None:
    """Train the collaborative model and make it the one serving reads.

    Returns the new model, or None when the active model was trained on
    exactly the same positives and configuration (unless ``force``).
    Raises TrainingBusy when another process is training.

    1. Take the training lock: never two trainings at once (a second one
       would only repeat the first's work).
    2. Read the positives and fingerprint them with the configuration. The
       fingerprint is a digest of the data itself rather than a count or a
       latest id: interactions are upserted (a re-rating from 5 to 2 keeps
       its id and the count), deleted, or leave the model when their item
       is deactivated, and a digest sees all of that. Reading is a small
       part of training: 0.1 s of 15 s on ml-latest-small, where a run that
       finds the data unchanged takes 0.1-0.2 s in all.
    3. Train (engine.collaborative.train): EASE or item-kNN.
    4. In one transaction: create the model inactive, COPY its neighbour
       rows, activate it and delete every other model (their rows cascade).
       A reader sees the old model or the new one, never half of one, and
       a run killed midway leaves nothing behind.

    ``on_progress(phase, done, total)`` is told as each step starts (reading,
    training's own steps, writing) and once more when all are done.
    """
    # Reading and writing around training's own steps; training says how
    # many it has once it knows the algorithm.
    total = 2

    def report(phase: str, done: int) -> None:
        if on_progress:
            on_progress(phase, done, total)

    def report_training(phase: str, done: int, steps: int) -> None:
        nonlocal total
        total = steps + 2
        report(phase, done + 1)

    with training_lock():
        report("reading positives", 0)
        started = time.perf_counter()
        config = training_config(dense_max_items=dense_max_items)
        users, items, times = positives_read()
        fingerprint = collaborative.data_fingerprint(users, items, times, config)
        read_seconds = time.perf_counter() - started
        current = active_model()
        if not force and current and current.params.get("fingerprint") == fingerprint:
            logger.info("collaborative model %s is current; not training", current.pk)
            return None

        result = collaborative.train(users, items, times, config, on_progress=report_training)
        report("writing neighbours", total - 1)
        phases = {"read": round(read_seconds, 3)}
        model = _model_write(result, fingerprint, phases, started=started)
    report("done", total)
    logger.info(
        "collaborative model %s: %s on %d items, %d users in %.1f s",
        model.pk,
        model.algorithm,
        model.items,
        model.users,
        model.seconds,
    )
    return model


def _model_write(
    result: collaborative.TrainingResult, fingerprint: str, phases: dict, *, started: float
) -> CollaborativeModel:
    """In one transaction: the model inactive, its neighbour rows by COPY, then
    active, every other model deleted (their rows cascade)."""
    mark = time.perf_counter()
    rows = result.neighbour_rows()
    params = {
        **result.params,
        "fingerprint": fingerprint,
        "phases": {**phases, **{phase: round(s, 3) for phase, s in result.seconds.items()}},
    }
    with transaction.atomic():
        model = CollaborativeModel.objects.create(
            algorithm=result.algorithm,
            params=params,
            users=result.users,
            items=result.items,
            interactions=result.interactions,
            is_active=False,
        )
        _copy_neighbours(model.pk, rows)
        params["phases"]["write"] = round(time.perf_counter() - mark, 3)
        model.params = params
        model.seconds = round(time.perf_counter() - started, 3)
        model.is_active = True
        model.save(update_fields=["params", "seconds", "is_active"])
        CollaborativeModel.objects.exclude(pk=model.pk).delete()
    return model


def _copy_neighbours(model_id: int, rows: Iterable[tuple[int, list[int], list[float]]]) -> None:
    """Write the neighbour rows with COPY.

    Measured on ml-latest-small (6,298 rows of up to 50 neighbours, see
    bench/collaborative_training.py): COPY 0.61 s, bulk_create in batches
    of 1,000 1.87 s.
    """
    table = ItemNeighbours._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} (model_id, item_id, neighbour_ids, scores) FROM STDIN") as copy,
    ):
        for item_id, neighbour_ids, scores in rows:
            copy.write_row((model_id, item_id, neighbour_ids, scores))


@contextmanager
def training_lock() -> Iterator[None]:
    """Hold the site-wide training advisory lock, or raise TrainingBusy.

    A session lock, not a transaction one: training commits its own
    transaction inside it, and a worker that dies drops its connection and
    with it the lock. The second caller is told at once instead of waiting.
    """
    key = [TRAINING_LOCK_SPACE, TRAINING_LOCK_KEY]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        if not cursor.fetchone()[0]:
            raise TrainingBusy()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
