"""The catalog's vector statistics: computed by a worker, stored, read by web processes.

Scoring needs the mean and covariance of every active item vector
(engine.scoring.CatalogStats). Reading every vector costs a web process
about 1.5 GB at a million items, so a worker computes them after embeddings
change (engine.tasks.catalog_statistics_refresh, chunk by chunk with
engine.catalog_moments) and stores one CatalogStatistics row; web processes
read that row (engine.catalog_cache). Until a row exists, a web process
computes them from a bounded sample of the catalog (``sampled_stats``):
exact on catalogs up to SAMPLE_ITEMS, an estimate above.
"""

import hashlib
import logging
import time

import numpy as np
from django.db import IntegrityError, connection, transaction

from catalog.models import EMBEDDING_DIMENSIONS
from catalog.selectors import categories_in_use
from engine import scoring
from engine.catalog_labels import labels_compute
from engine.catalog_moments import CHUNK_ROWS, CatalogMoments, moments_of_chunks
from engine.models import CatalogStatistics
from engine.retrieval import fetch_binary

logger = logging.getLogger(__name__)

# A web process with no stored statistics estimates them from at most this
# many items. Measured on 1M synthetic clustered vectors: 10.7 s, peak RSS
# 321 MiB, and for 50 random statement vectors the similarity mean within
# 0.02 standard deviations of the whole catalog's, the deviation within 1.2%.
SAMPLE_ITEMS = 20_000

# What moves the statistics, in one aggregate over the catalog (10 ms on
# ml-latest-small, about half a second at a million items: worker only,
# and the web's fallback while nothing is stored). The first four move the
# vectors and categories: embedding changes embedded_at, every save moves
# updated_at, (de)activating changes the counts. Popularity moves the
# largest popularity alone.
_FINGERPRINT_SQL = (
    "SELECT count(embedding), max(embedded_at), count(*), max(updated_at), "
    "max(popularity) FILTER (WHERE embedding IS NOT NULL) "
    "FROM catalog_item WHERE is_active"
)

# Two-key advisory lock: (space, key); 7301 profiles, 7302 training.
STATISTICS_LOCK_SPACE = 7303


def catalog_aggregate() -> tuple:
    """The aggregate the fingerprint is made of: (embedded, latest embedding,
    active, latest save, largest popularity)."""
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        return tuple(cursor.fetchone())


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def catalog_fingerprint() -> tuple[str, str, int]:
    """(vectors key, full fingerprint, largest popularity) of the catalog now."""
    embedded, embedded_at, active, updated_at, max_popularity = catalog_aggregate()
    vectors_key = _digest(embedded, embedded_at, active, updated_at, EMBEDDING_DIMENSIONS)
    return vectors_key, _digest(vectors_key, max_popularity), int(max_popularity or 0)


def _vector_chunks(rows: int = CHUNK_ROWS):
    """Every active, embedded item's (vectors, popularity), ``rows`` at a time, by id."""
    after = 0
    while True:
        found = fetch_binary(
            "SELECT id, embedding, popularity FROM catalog_item "
            "WHERE is_active AND embedding IS NOT NULL AND id > %s ORDER BY id LIMIT %s",
            [after, rows],
        )
        if not found:
            return
        after = found[-1][0]
        vectors = np.stack([np.asarray(row[1].to_numpy(), dtype=np.float32) for row in found])
        yield vectors, np.array([row[2] for row in found], dtype=np.float64)
        del found


def catalog_statistics_refresh() -> CatalogStatistics | None:
    """Compute and store the catalog's statistics if the catalog changed since.

    Returns the new row, or None when the stored one is current or another
    process is computing them (it, or the next periodic run, stores them).

    1. Fingerprint the catalog (one aggregate); stop if the newest row has
       it (adding its labels if it was stored without them).
    2. If only popularity moved, copy the newest row's moments, categories
       and labels. Otherwise read the vectors CHUNK_ROWS at a time (keyset
       by id, bounded memory whatever the catalog) into CatalogMoments, the
       categories, and the labels the profile writer uses
       (engine.catalog_labels).
    3. Store the row and delete the older ones, in one transaction.
    A change made while the vectors are read gives a newer fingerprint: the
    next run (after the next embedding, or the periodic one) sees it.
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, 0)", [STATISTICS_LOCK_SPACE])
        if not cursor.fetchone()[0]:
            return None
    try:
        vectors_key, fingerprint, max_popularity = catalog_fingerprint()
        latest = CatalogStatistics.objects.order_by("-id").first()
        if latest and latest.fingerprint == fingerprint:
            return _labels_added(latest)
        if latest and latest.vectors_key == vectors_key:
            moments = _stored_moments(latest)
            categories = latest.categories
            labels = latest.labels or labels_compute().as_json()
        else:
            moments = moments_of_chunks(_vector_chunks(), EMBEDDING_DIMENSIONS)
            categories = categories_in_use()
            labels = labels_compute().as_json()
        row = _store(
            vectors_key, fingerprint, moments, max_popularity, (categories, labels), started
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [STATISTICS_LOCK_SPACE])
    if row:
        logger.info("catalog statistics of %d items in %.1f s", row.items, row.seconds)
    return row


def _labels_added(row: CatalogStatistics) -> CatalogStatistics | None:
    """The current row with the labels it lacks (stored before they were
    part of it), or None when it has them."""
    if row.labels:
        return None
    row.labels = labels_compute().as_json()
    row.save(update_fields=["labels"])
    return row


def _stored_moments(row: CatalogStatistics) -> CatalogMoments:
    """A stored row's moments (it stores the covariance: scatter / (items - 1))."""
    stats = stored_stats(row)
    if row.items < 2:
        return CatalogMoments(row.items, stats.mean, np.zeros_like(stats.covariance))
    return CatalogMoments(row.items, stats.mean, stats.covariance * (row.items - 1))


def _store(vectors_key, fingerprint, moments, max_popularity, labelled, started):
    categories, labels = labelled
    stats = moments.stats(categories)
    try:
        with transaction.atomic():
            row = CatalogStatistics.objects.create(
                fingerprint=fingerprint,
                vectors_key=vectors_key,
                items=moments.count,
                dimensions=len(stats.mean),
                mean=np.ascontiguousarray(stats.mean, dtype="<f8").tobytes(),
                covariance=np.ascontiguousarray(stats.covariance, dtype="<f8").tobytes(),
                max_popularity=max_popularity,
                categories=list(categories),
                labels=labels,
                seconds=round(time.perf_counter() - started, 3),
            )
            CatalogStatistics.objects.exclude(pk=row.pk).delete()
    except IntegrityError:  # stored meanwhile under the same fingerprint
        return None
    return row


def stored_stats(row: CatalogStatistics) -> scoring.CatalogStats:
    """The CatalogStats a stored row holds."""
    dims = row.dimensions
    return scoring.CatalogStats(
        mean=np.frombuffer(bytes(row.mean), dtype="<f8").copy(),
        covariance=np.frombuffer(bytes(row.covariance), dtype="<f8").reshape(dims, dims).copy(),
        max_popularity=row.max_popularity,
        categories=scoring.category_index(row.categories),
    )


def latest_statistics_id() -> int | None:
    """The newest stored row's id (one index read), or None."""
    return CatalogStatistics.objects.order_by("-id").values_list("id", flat=True).first()


def latest_statistics() -> CatalogStatistics | None:
    return CatalogStatistics.objects.order_by("-id").first()


def stored_labels(row_id: int) -> dict:
    """The labels a stored row holds ({}: none, or the row is gone)."""
    found = CatalogStatistics.objects.filter(pk=row_id).values_list("labels", flat=True)
    return found.first() or {}


def sampled_stats(embedded: int, max_popularity: int | None) -> scoring.CatalogStats:
    """Statistics from at most about SAMPLE_ITEMS items, for when none are stored.

    Every item when the catalog has no more (exact); above, a repeatable
    Bernoulli sample of the table, so every web process estimates the same.
    """
    if embedded <= SAMPLE_ITEMS:
        chunks = _vector_chunks()
    else:
        share = 100.0 * SAMPLE_ITEMS / embedded
        rows = fetch_binary(
            "SELECT embedding, popularity FROM catalog_item "
            f"TABLESAMPLE BERNOULLI ({share:.6f}) REPEATABLE (0) "
            "WHERE is_active AND embedding IS NOT NULL",
            [],
        )
        vectors = (
            np.stack([np.asarray(v.to_numpy(), dtype=np.float32) for v, _ in rows])
            if rows
            else np.zeros((0, EMBEDDING_DIMENSIONS), np.float32)
        )
        chunks = [(vectors, np.zeros(len(vectors)))]
    moments = moments_of_chunks(chunks, EMBEDDING_DIMENSIONS)
    # The largest popularity is the catalog's, not the sample's.
    moments = CatalogMoments(moments.count, moments.mean, moments.scatter, int(max_popularity or 0))
    return moments.stats(categories_in_use())
