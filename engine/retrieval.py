"""Nearest-neighbour reads over item embeddings (pgvector HNSW)."""

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from pgvector import HalfVector
from pgvector.django import CosineDistance
from pgvector.psycopg import register_vector
from psycopg.adapt import Loader
from psycopg.pq import Format

from catalog.models import EMBEDDING_DIMENSIONS, INDEXED_EMBEDDING, Item
from engine import search_quality
from engine.encoder import get_encoder
from profiles.parser import TAG_PREFIX

MAX_K = 100
# hnsw.ef_search is the size of the candidate list the index walks. pgvector's
# default of 40 gives recall@10 of about 0.95 on a 10k catalog; asking for
# more results needs a longer list to keep recall up.
MIN_EF_SEARCH = 40
EF_PER_RESULT = 4
MAX_EF_SEARCH = 1000  # pgvector's limit; beyond it the iterative scan supplies the rest


@dataclass(frozen=True)
class ScoredItem:
    item: Item
    similarity: float  # cosine similarity, -1..1


def _candidates(
    category: str, exclude_ids: Sequence[int], family: Sequence[str] = ()
) -> QuerySet[Item]:
    items = Item.objects.filter(is_active=True).defer("embedding")
    if category:
        items = items.filter(categories__contains=[category])
    if family:  # any one of these categories
        items = items.filter(categories__overlap=list(family))
    if exclude_ids:
        items = items.exclude(id__in=exclude_ids)
    return items


def nearest_items(
    vector: Sequence[float] | np.ndarray,
    *,
    k: int,
    category: str = "",
    exclude_ids: Sequence[int] = (),
    exact: bool = False,
    family: Sequence[str] = (),
) -> list[ScoredItem]:
    """The ``k`` active items closest to ``vector``, best first (``family``: only
    items with at least one of these categories).

    ``exact`` compares with every item instead of scanning the HNSW index:
    slower on a large catalog, but the answer never depends on the index's
    state (an approximate scan may miss a few near items, differently after
    rows came and went). Checks that decide what gets stored use it.

    Runs in its own transaction so the index settings apply to this query
    only (``set_config(..., true)`` is ``SET LOCAL``):
    - ``hnsw.ef_search`` grows with ``k`` to keep recall;
    - ``hnsw.iterative_scan = relaxed_order`` (pgvector 0.8) lets the index
      scan continue past its first candidates when filters (active only, a
      category, excluded items) reject many of them, so a filtered query still
      returns ``k`` items when ``k`` exist. Relaxed order may return close
      distances slightly out of order, so results are re-sorted here.

    An index walk can still come back short: HNSW's graph may leave a far,
    separate cluster unreachable once the near one is all filtered out. A
    short answer is asked again exactly, so ``k`` items come back whenever
    ``k`` exist; that happens only when the filters leave few items, which
    the category GIN index then finds without reading the catalog.
    """
    # Items still waiting for a vector have no distance: without this filter
    # a sequential scan (small catalogs) returns them, unorderable, last.
    query = (
        _candidates(category, exclude_ids, family)
        .exclude(embedding=None)
        # The distance returned is the float32 one; the index orders by its
        # half-precision copy (catalog.models.INDEXED_EMBEDDING), and only
        # ``ORDER BY <that> <=> vector`` itself: adding zero to the exact
        # distance makes it an expression the planner computes for every row.
        .annotate(distance=CosineDistance("embedding", vector))
        .annotate(indexed=CosineDistance(INDEXED_EMBEDDING, HalfVector(vector)))
    )
    exactly = query.order_by(F("distance") + 0.0)[:k]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.ef_search', %s, true), "
            "set_config('hnsw.iterative_scan', 'relaxed_order', true)",
            [str(min(MAX_EF_SEARCH, max(MIN_EF_SEARCH, EF_PER_RESULT * k)))],
        )
        items = list(exactly if exact else query.order_by("indexed")[:k])
    if len(items) < k and not exact:
        items = list(exactly)
    items.sort(key=lambda item: item.distance)
    return [ScoredItem(item, 1.0 - item.distance) for item in items]


def similar_items(item: Item, *, k: int, category: str = "") -> list[ScoredItem]:
    """Items most like ``item`` (never ``item`` itself, never inactive ones)."""
    vector = Item.objects.filter(pk=item.pk).values_list("embedding", flat=True).first()
    if vector is None:
        return []
    return nearest_items(vector, k=k, category=category, exclude_ids=[item.pk])


def search_items(query: str, *, k: int, category: str = "") -> list[ScoredItem]:
    """Items ranked by meaning, with title matches lifted.

    1. Encode the query and take the ``k`` nearest items.
    2. Add items whose title contains the query (a person typing a title
       expects that item even if its description says something else).
    3. Rank: exact titles first, then title matches, then by similarity.
    """
    vector = get_encoder().encode_cached([query])[0]
    found = {scored.item.pk: scored for scored in nearest_items(vector, k=k, category=category)}
    titled = (
        _candidates(category, ())
        .filter(Q(title__iexact=query) | Q(title__icontains=query))
        .annotate(distance=CosineDistance("embedding", vector))
        .order_by("-popularity", "id")[:k]
    )
    for item in titled:
        distance = item.distance if item.distance is not None else 1.0
        found.setdefault(item.pk, ScoredItem(item, 1.0 - distance))
    lowered = query.casefold()

    def rank(scored: ScoredItem) -> tuple[int, float]:
        title = scored.item.title.casefold()
        return (0 if title == lowered else 1 if lowered in title else 2, -scored.similarity)

    return sorted(found.values(), key=rank)[:k]


def search_matches_well(query: str, found: Sequence[Item], stats) -> bool:
    """Whether the results of ``search_items`` (best first) match ``query`` well:
    a title holding the query does; otherwise the similarities decide
    (engine.search_quality, against the catalog's ``stats``)."""
    lowered = query.casefold()
    if any(lowered in item.title.casefold() for item in found):
        return True
    first = [item.pk for item in found[: search_quality.AGREEMENT_ITEMS]]
    ids, vectors, _ = item_vectors(first)
    row = {int(pk): n for n, pk in enumerate(ids)}
    vectors = vectors[[row[pk] for pk in first if pk in row]]
    query_vector = get_encoder().encode_cached([query])[0]
    return search_quality.matches_well(query_vector, vectors, stats)


# Raw psycopg connections that already know the vector type. Registering
# looks the type up in the catalog: a query per call (4 ms here), so once
# per connection.
_vector_aware: weakref.WeakSet = weakref.WeakSet()


def vector_connection():
    """Django's current psycopg connection, able to send and receive vectors."""
    connection.ensure_connection()
    raw = connection.connection
    if raw not in _vector_aware:
        register_vector(raw)
        _vector_aware.add(raw)
    return raw


def fetch_binary(sql: str, params: Sequence) -> list[tuple]:
    """Run one query on a psycopg cursor that receives vectors in binary.

    Django's cursors bind on the client and return text; parsing 384 floats
    of text per item costs more than the whole ANN query on a few hundred
    candidates. Server-side binding also sends query vectors in binary.
    """
    with psycopg.Cursor(vector_connection()) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def _filters(category: str, exclude_ids: Sequence[int]) -> tuple[str, list]:
    sql, params = "is_active AND embedding IS NOT NULL", []
    if category:
        sql += " AND categories @> ARRAY[%s]::varchar(100)[]"
        params.append(category)
    if exclude_ids:
        sql += " AND NOT (id = ANY(%s))"
        params.append(list(exclude_ids))
    return sql, params


# catalog.models.INDEXED_EMBEDDING in SQL: the index's own expression.
INDEXED_SQL = f"(embedding::halfvec({EMBEDDING_DIMENSIONS}))"


def nearest_ids_many(
    vectors: Sequence[np.ndarray],
    *,
    k: int,
    category: str = "",
    exclude_ids: Sequence[int] = (),
    ef_search: int | None = None,
) -> list[list[int]]:
    """For each vector, the ids of the ``k`` nearest active items, in one round trip.

    One ``UNION ALL`` of per-vector index scans, with the same index settings
    as ``nearest_items`` unless ``ef_search`` is given (candidate generation
    trades a little recall for speed: its items are re-scored exactly).
    """
    if not len(vectors):
        return []
    where, params = _filters(category, exclude_ids)
    branch = (
        f"(SELECT %s::int AS branch, id, embedding <=> %s AS distance FROM catalog_item "
        f"WHERE {where} ORDER BY {INDEXED_SQL} <=> %s::halfvec LIMIT %s)"
    )
    sql = " UNION ALL ".join([branch] * len(vectors))
    args: list = []
    for number, vector in enumerate(vectors):
        vector = np.asarray(vector, dtype=np.float32)
        args += [number, vector, *params, vector, k]
    found: list[list[tuple[float, int]]] = [[] for _ in vectors]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('hnsw.ef_search', %s, true), "
                "set_config('hnsw.iterative_scan', 'relaxed_order', true)",
                [str(min(MAX_EF_SEARCH, max(MIN_EF_SEARCH, EF_PER_RESULT * k)))],
            )
        for number, item_id, distance in fetch_binary(sql, args):
            found[number].append((distance, item_id))
    return [[item_id for _, item_id in sorted(rows)] for rows in found]


def popular_ids(
    *, k: int, category: str = "", exclude_ids: Sequence[int] = (), tag: str = ""
) -> list[int]:
    """The ``k`` most popular active, embedded items (of ``category``, with ``tag``)."""
    where, params = _filters(category, exclude_ids)
    if tag:
        where, params = where + " AND tags @> ARRAY[%s]::varchar(100)[]", [*params, tag]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM catalog_item WHERE {where} ORDER BY popularity DESC, id LIMIT %s",
            [*params, k],
        )
        return [row[0] for row in cursor.fetchall()]


def item_vectors(
    item_ids: Sequence[int], *, category: str = ""
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, vectors, popularity) of the active, embedded items among ``item_ids``.

    The vectors come back as raw binary and are parsed in one numpy call: a
    list's thousand candidates parsed one ``Vector`` at a time cost more
    than the query.
    """
    where, params = _filters(category, ())
    with psycopg.Cursor(vector_connection()) as cursor:
        cursor.adapters.register_loader(cursor.adapters.types["vector"].oid, _RawVectorLoader)
        cursor.execute(
            f"SELECT id, embedding, popularity FROM catalog_item "
            f"WHERE {where} AND id = ANY(%s) ORDER BY id",
            [*params, list(item_ids)],
            binary=True,
        )
        return _arrays(cursor.fetchall())


class _RawVectorLoader(Loader):
    """A vector column as its binary form (pgvector's: dimensions and a
    reserved word as two big-endian uint16, then big-endian float32s)."""

    format = Format.BINARY

    def load(self, data) -> bytes:
        return bytes(data)


def items_carrying(item_ids: np.ndarray, labels: Sequence[str]) -> dict[str, np.ndarray]:
    """For each label in ``labels`` (a category, or a common tag written
    "tag:<name>", engine.concepts), which of ``item_ids`` carry it (one query,
    none without labels)."""
    carrying = {label: np.zeros(len(item_ids), dtype=bool) for label in labels}
    if not labels or not len(item_ids):
        return carrying
    tags = [label.removeprefix(TAG_PREFIX) for label in labels if label.startswith(TAG_PREFIX)]
    categories = [label for label in labels if not label.startswith(TAG_PREFIX)]
    row = {int(pk): n for n, pk in enumerate(item_ids)}
    # Each item's own labels among those asked for (an item carries hundreds of tags).
    found = fetch_binary(
        "SELECT id, ARRAY(SELECT unnest(categories) INTERSECT SELECT unnest(%s::varchar(100)[])), "
        "ARRAY(SELECT unnest(tags) INTERSECT SELECT unnest(%s::varchar(100)[])) "
        "FROM catalog_item WHERE id = ANY(%s) "
        "AND (categories && %s::varchar(100)[] OR tags && %s::varchar(100)[])",
        [categories, tags, list(row), categories, tags],
    )
    for pk, item_categories, item_tags in found:
        for name in [*item_categories, *(TAG_PREFIX + tag for tag in item_tags)]:
            if name in carrying:
                carrying[name][row[pk]] = True
    return carrying


def _arrays(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of (id, raw binary vector, popularity) as arrays; the vectors
    exactly as pgvector's ``Vector.from_binary`` reads each one."""
    if not rows:
        return np.zeros(0, np.int64), np.zeros((0, EMBEDDING_DIMENSIONS), np.float32), np.zeros(0)
    ids, vectors, popularity = zip(*rows, strict=True)
    # The 4-byte header takes the place of one float32: each row is 1 + d of them.
    raw = np.frombuffer(b"".join(vectors), dtype=">f4").reshape(len(vectors), -1)
    return (
        np.array(ids, dtype=np.int64),
        raw[:, 1:].astype(np.float32),
        np.array(popularity, dtype=np.float64),
    )
