"""Item embeddings: find the items whose vector is missing or stale, encode, store."""

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from catalog.models import Item
from catalog.selectors import EmbeddingState, items_embedding_state
from engine import scoring, vector_copy
from engine.catalog_cache import catalog_stats
from engine.encoder import get_encoder
from profiles.models import Statement


@dataclass(frozen=True)
class EmbedSummary:
    encoded: int
    skipped: int  # looked at but not encoded: already current, or edited meanwhile
    seconds: float


def items_pending_embedding(
    *, item_ids: Sequence[int] | None = None, force: bool = False
) -> list[EmbeddingState]:
    """Items whose vector is missing, or was made from other text or another model."""
    items = None if item_ids is None else Item.objects.filter(id__in=item_ids)
    model = settings.EMBEDDING_MODEL
    return [state for state in items_embedding_state(items) if force or not state.is_current(model)]


@dataclass(frozen=True)
class EmbeddingCounts:
    model: str
    current: int
    outdated: int  # made from older text, or by another model
    missing: int  # never embedded

    @property
    def pending(self) -> int:
        return self.outdated + self.missing


def items_embedding_counts() -> EmbeddingCounts:
    """How many items' vectors are current, outdated or missing for the configured model."""
    model = settings.EMBEDDING_MODEL
    current = outdated = missing = 0
    for state in items_embedding_state():
        if not state.model:
            missing += 1
        elif state.is_current(model):
            current += 1
        else:
            outdated += 1
    return EmbeddingCounts(model=model, current=current, outdated=outdated, missing=missing)


def store_vectors(
    chunk: Sequence[EmbeddingState], vectors: Sequence[np.ndarray], model: str | None = None
) -> int:
    """Write one chunk's vectors in its own transaction; returns how many were written.

    The rows are locked and their text re-hashed first: an item edited while
    its old text was being encoded keeps its newer state (and its own queued
    re-embedding) instead of receiving a vector of text it no longer has.
    """
    model = model or settings.EMBEDDING_MODEL
    wanted = {item.id: (item.hash, vector) for item, vector in zip(chunk, vectors, strict=True)}
    with transaction.atomic():
        locked = Item.objects.select_for_update().filter(id__in=wanted)
        still = [
            state for state in items_embedding_state(locked) if state.hash == wanted[state.id][0]
        ]
        if still:
            _write_vectors(
                ids=[state.id for state in still],
                vectors=[wanted[state.id][1] for state in still],
                hashes=[state.hash for state in still],
                model=model,
            )
    return len(still)


# The chunk's vectors COPYed in binary into a temporary table
# (engine.vector_copy: numpy encodes them), then one UPDATE ... FROM it.
# Sent as a vector[] parameter instead, psycopg adapted each vector in
# Python, about 1 ms apiece: 5.4 s of the 5.8 s that 5,000 vectors took,
# against 0.15 s for the COPY (and 0.4-0.7 s for the UPDATE either way).
_INCOMING_VECTORS = """
    CREATE TEMPORARY TABLE IF NOT EXISTS incoming_vectors
    (id bigint, embedding vector, hash text) ON COMMIT DELETE ROWS
"""
_WRITE_VECTORS = """
    UPDATE catalog_item AS item
    SET embedding = new.embedding, embedding_hash = new.hash,
        embedding_model = %s, embedded_at = %s
    FROM incoming_vectors AS new
    WHERE item.id = new.id
"""


def _write_vectors(*, ids: list[int], vectors: list[np.ndarray], hashes: list[str], model: str):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INCOMING_VECTORS)
        cursor.execute("TRUNCATE incoming_vectors")  # an earlier write in this transaction
        with cursor.cursor.copy(
            "COPY incoming_vectors (id, embedding, hash) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.write(vector_copy.binary_rows(ids, vectors, hashes))
        cursor.execute(_WRITE_VECTORS, [model, timezone.now()])


def statements_embed(*, profile_id: int) -> int:
    """Embed a profile's statements that have no vector yet; returns how many.

    Runs in the transaction that wrote them (a few short texts: milliseconds
    once the encoder is loaded), so an edit is searchable when it commits.
    """
    pending = list(Statement.objects.filter(profile_id=profile_id, embedding=None))
    if pending:
        # Cached: a line typed in the editor was usually encoded by its preview.
        vectors = get_encoder().encode_cached([s.embedded_text for s in pending])
        for statement, vector in zip(pending, vectors, strict=True):
            statement.embedding = vector
        Statement.objects.bulk_update(pending, ["embedding"])
    _centres_set(profile_id)
    _detached_set(profile_id)
    return len(pending)


def _detached_set(profile_id: int) -> None:
    """Mark the lines the person wrote whose words no longer describe their group."""
    stats = catalog_stats()
    rows = Statement.objects.filter(
        profile_id=profile_id, origin=Statement.Origin.USER, centre__isnull=False
    ).exclude(embedding=None)
    changed = []
    for statement in rows:
        detached = scoring.detached(
            np.asarray(statement.embedding), np.asarray(statement.centre, np.float64), stats
        )
        if detached != statement.detached:
            statement.detached = detached
            changed.append(statement)
    Statement.objects.bulk_update(changed, ["detached"])


def _centres_set(profile_id: int) -> None:
    """Give each statement with evidence its group's centre: the L2-normalised
    mean of its evidence items' vectors, computed by pgvector in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Statement._meta.db_table} AS statement
            SET centre = l2_normalize(grouped.centre)
            FROM (
                SELECT evidence.statement_id, avg(item.embedding) AS centre
                FROM {Statement.evidence.through._meta.db_table} AS evidence
                JOIN {Item._meta.db_table} AS item ON item.id = evidence.item_id
                JOIN {Statement._meta.db_table} AS owner ON owner.id = evidence.statement_id
                WHERE owner.profile_id = %s AND item.embedding IS NOT NULL
                GROUP BY evidence.statement_id
            ) AS grouped
            WHERE statement.id = grouped.statement_id AND statement.centre IS NULL
            """,
            [profile_id],
        )


def _store_and_close(chunk, vectors, model: str) -> int:
    """store_vectors on the writer thread, which has its own connection."""
    try:
        return store_vectors(chunk, vectors, model)
    finally:
        connection.close()


def items_embed(
    *,
    item_ids: Sequence[int] | None = None,
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> EmbedSummary:
    """Embed the items that need it (all of ``item_ids``, or the whole catalog).

    1. Find the pending items (missing, stale text, other model; or all if ``force``).
    2. Sort them by text length, so each encoder batch pads little.
    3. Encode and store chunk by chunk, one transaction each: a run that is
       killed keeps every finished chunk, and the next run (which finds only
       what is still pending) does the rest.
    4. Store each chunk on a second thread while the next one is encoded:
       writing a chunk (mostly PostgreSQL adding 256 vectors to the HNSW
       graph) otherwise costs about a tenth of the encoding time. Inside a
       caller's transaction the chunks are stored inline instead: a second
       connection could not see that transaction's rows.
    """
    started = time.monotonic()
    pending = items_pending_embedding(item_ids=item_ids, force=force)
    looked_at = len(set(item_ids)) if item_ids is not None else Item.objects.count()
    pending.sort(key=lambda item: len(item.text), reverse=True)
    encoded = 0
    if pending:
        encoder = get_encoder()
        size = settings.EMBEDDING_CHUNK_SIZE
        chunks = (pending[start : start + size] for start in range(0, len(pending), size))
        encoded_chunks = ((chunk, encoder.encode([i.text for i in chunk])) for chunk in chunks)
        if connection.in_atomic_block:
            for chunk, vectors in encoded_chunks:
                encoded += store_vectors(chunk, vectors, encoder.name)
                if on_progress:
                    on_progress(len(chunk))
        else:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-store") as writer:
                previous: tuple[Future, int] | None = None
                for chunk, vectors in encoded_chunks:
                    current = (
                        writer.submit(_store_and_close, chunk, vectors, encoder.name),
                        len(chunk),
                    )
                    if previous:  # wait for the one before: at most two chunks in memory
                        encoded += previous[0].result()
                        if on_progress:
                            on_progress(previous[1])
                    previous = current
                if previous:
                    encoded += previous[0].result()
                    if on_progress:
                        on_progress(previous[1])
    return EmbedSummary(
        encoded=encoded, skipped=max(looked_at - encoded, 0), seconds=time.monotonic() - started
    )


# The embedding runs' advisory lock (first key: see profiles.PROFILE_LOCK_SPACE).
# Task runs hold it shared, the catch-up exclusively: the catch-up encodes
# everything pending, so while it works a task's items are among its own, and
# while tasks work their items are still pending to it. Either way both would
# encode the same items and write each twice.
EMBED_CATCH_UP_LOCK = (7302, 0)
# Seconds the catch-up waits for running tasks to finish. A task that starts
# meanwhile finds it waiting and steps aside (PostgreSQL queues a new shared
# request behind a waiting exclusive one), so a busy queue cannot starve it.
CATCH_UP_WAIT_SECONDS = 60


@contextmanager
def embedding_run():
    """Hold the embedding lock shared while a task embeds; yields False if a catch-up holds it.

    The lock is the database session's: a worker killed mid-run loses its
    connection and so the lock.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock_shared(%s, %s)", list(EMBED_CATCH_UP_LOCK))
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock_shared(%s, %s)", list(EMBED_CATCH_UP_LOCK)
                )


def items_embed_catch_up(*, wait_seconds: float = CATCH_UP_WAIT_SECONDS) -> int | None:
    """Embed everything pending, alone; returns how many, or None when not alone.

    1. Take the embedding lock exclusively, waiting up to ``wait_seconds``
       for running tasks (embedding_run) and any other catch-up to finish.
    2. Not taken in time: return None; the next period tries again.
    3. Embed what is pending then, and let go of the lock.
    A catch-up killed mid-run loses the lock with its connection, and the
    next one starts over from what is still pending.
    """
    try:
        # A transaction of its own (a savepoint inside a caller's), so the
        # timeout ends with it and a timed-out wait spoils nothing.
        with transaction.atomic(), connection.cursor() as cursor:
            timeout = f"{max(int(wait_seconds * 1000), 1)}ms"
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(EMBED_CATCH_UP_LOCK))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return None
    try:
        return items_embed().encoded
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(EMBED_CATCH_UP_LOCK))


# PostgreSQL's SQLSTATE for a lock wait cut short by lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


# Building the item vector index (the migration, or a bulk load that drops
# and rebuilds it). pgvector's HNSW build is fast only while the whole graph
# fits in maintenance_work_mem; past it, the build goes on disk and slows
# down many times (bench/vector_index.py). PostgreSQL's default is 64 MB,
# about 50,000 rows' graph.
INDEX_BUILD_MEMORY = "2GB"
# Processes beside the leader that insert into the graph (pgvector 0.6+).
INDEX_BUILD_WORKERS = 2


def index_build_settings(schema_editor) -> None:
    """Give the index build in this migration's transaction the memory and
    workers it needs (``SET LOCAL``: nothing outlives the transaction)."""
    schema_editor.execute(
        "SELECT set_config('maintenance_work_mem', %s, true), "
        "set_config('max_parallel_maintenance_workers', %s, true)",
        [INDEX_BUILD_MEMORY, str(INDEX_BUILD_WORKERS)],
    )
