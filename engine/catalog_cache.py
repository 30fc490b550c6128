"""The catalog as every request sees it, cached per process.

Scoring z-normalises a line's similarities against the whole catalog
(engine.scoring.CatalogStats) and acts on category labels. A worker
computes the statistics after embeddings change and stores them
(engine.catalog_statistics); each web process keeps the stored row and
checks with one index read whether a newer one exists. It never reads every
item vector: until a row is stored it estimates them from a bounded sample.
"""

import threading
import time

import numpy as np
from django.conf import settings
from django.db import connection
from pgvector import HalfVector
from pgvector.django import CosineDistance

from catalog.models import INDEXED_EMBEDDING, Item
from engine import catalog_statistics, concepts, retrieval, scoring
from profiles.parser import TAG_PREFIX

_stats_lock = threading.Lock()
_stats: dict[str, tuple[tuple, float, scoring.CatalogStats]] = {}


def catalog_stats() -> scoring.CatalogStats:
    """The catalog's vector mean and covariance, its largest popularity and categories.

    At most every RECOMMEND_STATS_SECONDS one query asks for the newest
    stored row's id; the row (1.2 MB) is read only when it changed. While no
    row is stored (a new site, no worker yet), the statistics are computed
    here from at most catalog_statistics.SAMPLE_ITEMS items, exactly on a
    catalog that small, again whenever the catalog aggregate moves. A few
    minutes of lag are harmless: the statistics move slowly as a catalog
    grows.
    """
    now = time.monotonic()
    database = connection.settings_dict["NAME"]
    with _stats_lock:
        cached = _stats.get(database)
    if cached and now - cached[1] < settings.RECOMMEND_STATS_SECONDS:
        return cached[2]
    latest = catalog_statistics.latest_statistics_id()
    if latest is not None:
        key: tuple = ("stored", latest)
        if not (cached and cached[0] == key):
            row = catalog_statistics.latest_statistics()
            if row is None:  # replaced and deleted between the two reads
                return catalog_stats()
            key, stats = ("stored", row.pk), catalog_statistics.stored_stats(row)
        else:
            stats = cached[2]
    else:
        aggregate = catalog_statistics.catalog_aggregate()
        key = ("sampled", *aggregate)
        if cached and cached[0] == key:
            stats = cached[2]
        else:
            stats = catalog_statistics.sampled_stats(aggregate[0], aggregate[4])
    with _stats_lock:
        _stats[database] = (key, now, stats)
    return stats


_members_lock = threading.Lock()
_members: dict[str, object] = {}

# The most popular items kept per category: a line naming one draws at most
# candidates.LABEL_CANDIDATES of them, after leaving out what the person has
# seen. Kept whole, a 1M-item catalog's 30 categories would hold every id
# (tens of MB per process); which candidates carry a category is read with
# the candidates instead (retrieval.items_carrying).
MEMBERS_KEPT = 5_000


def category_members(label: str, stats: scoring.CatalogStats) -> np.ndarray:
    """Ids of the MEMBERS_KEPT most popular active, embedded items carrying
    category ``label`` (or the tag of a "tag:" label, engine.concepts).

    Read once per category for as long as ``stats`` (catalog_stats) stays the
    same object, so a line naming a category costs no query per request for
    its candidates. The order may lag popularity by as long as the
    statistics do; it only picks which of the category's items are
    candidates, and they are scored on current popularity.
    """
    tag = label.removeprefix(TAG_PREFIX) if label.startswith(TAG_PREFIX) else ""
    return _per_stats(
        label,
        stats,
        lambda: np.array(
            retrieval.popular_ids(k=MEMBERS_KEPT, category="" if tag else label, tag=tag),
            dtype=np.int64,
        ),
    )


def _per_stats(key, stats: scoring.CatalogStats, compute):
    """``compute()``, kept under ``key`` for as long as ``stats`` stays the
    same object (a new catalog state drops everything kept)."""
    with _members_lock:
        if _members.get("stats") is not stats:
            _members.clear()
            _members["stats"] = stats
        found = _members.get(key)
    if found is None:
        found = compute()
        with _members_lock:
            if _members.get("stats") is stats:
                _members[key] = found
    return found


def _active_items(cursor) -> int:
    cursor.execute("SELECT count(*) FROM catalog_item WHERE is_active AND embedding IS NOT NULL")
    return cursor.fetchone()[0]


# A tag means something when this share of the catalog carries it (and at
# least TAG_MIN_ITEMS items): on ml-latest-small (9,742 films, TMDB keywords
# and user tags) 0.2% is 20 films, which keeps "zombie", "dystopia" and
# "based on novel" and leaves the one-off keywords out.
TAG_MIN_SHARE = 0.002
TAG_MIN_ITEMS = 5


def tag_index(stats: scoring.CatalogStats) -> dict[str, str]:
    """The catalog's common tags as ``scoring.category_index`` makes a lookup of them.

    Read once for as long as ``stats`` stays the same object (one aggregate
    over every item's tags), like ``category_members``.
    """
    return _per_stats(("tags",), stats, _read_tag_index)


def _read_tag_index() -> dict[str, str]:
    with connection.cursor() as cursor:
        items = _active_items(cursor)
        cursor.execute(
            "SELECT tag FROM catalog_item, unnest(tags) AS tag "
            "WHERE is_active AND embedding IS NOT NULL GROUP BY tag HAVING count(*) >= %s",
            [max(TAG_MIN_ITEMS, int(TAG_MIN_SHARE * items))],
        )
        return scoring.category_index(tag for (tag,) in cursor.fetchall())


def tag_vocabulary(stats: scoring.CatalogStats) -> concepts.TagWords:
    """The catalog's tags as a vocabulary (engine.concepts.tag_vote): the
    tags on at least concepts.TAG_VOCABULARY_MIN_ITEMS active, embedded items,
    with the categories of the items carrying each.

    Three queries (a count, two aggregates) once for as long as ``stats`` stays the same object
    (``tag_index``'s lifetime): a line read through the tags costs none.
    """
    return _per_stats(("vocabulary",), stats, _read_tag_vocabulary)


def _read_tag_vocabulary() -> concepts.TagWords:
    with connection.cursor() as cursor:
        items = _active_items(cursor)
        cursor.execute(
            "SELECT tag, count(*) FROM catalog_item, unnest(tags) AS tag "
            "WHERE is_active AND embedding IS NOT NULL GROUP BY tag "
            "HAVING count(*) >= %s ORDER BY count(*) DESC, tag LIMIT %s",
            [concepts.TAG_VOCABULARY_MIN_ITEMS, concepts.TAG_VOCABULARY_MAX],
        )
        counts: dict[str, tuple[int, dict[str, int]]] = {
            tag: (n, {}) for tag, n in cursor.fetchall()
        }
        cursor.execute(
            "SELECT tag, category, count(*) FROM catalog_item, unnest(tags) AS tag, "
            "unnest(categories) AS category WHERE is_active AND embedding IS NOT NULL "
            "AND tag = ANY(%s) GROUP BY tag, category",
            [list(counts)],
        )
        for tag, category, n in cursor.fetchall():
            counts[tag][1][category] = n
    return concepts.tag_words((items, counts))


_neighbours_lock = threading.Lock()
_neighbours: dict = {}
# Line texts whose nearest items are kept per process: a person's lines
# come back on every request, and a preview reads each typed line again.
NEIGHBOURS_KEPT = 20_000


def line_neighbours(stats: scoring.CatalogStats) -> concepts.Nearest:
    """A line topic's nearest catalog items, as engine.concepts.item_vote reads them.

    One pgvector query per topic text, kept for as long as ``stats``
    (catalog_stats) stays the same object, as ``category_members`` is: the
    same lines cost no query on later requests. The categories' shares of
    the catalog come from the stored label counts (engine.profiles).
    """
    from engine.encoder import get_encoder  # torch loads on first use
    from engine.profiles import catalog_label_counts  # reads the catalog: on use only

    def nearest(topic: str) -> concepts.Neighbours | None:
        vocabulary = tag_vocabulary(stats)
        with _neighbours_lock:
            if _neighbours.get("stats") is not stats:
                _neighbours.clear()
                _neighbours["stats"] = stats
            found = _neighbours.get(("topic", topic))
            shares = _neighbours.get(("shares",))
        if found is not None:
            return found
        if shares is None:
            counts, items = catalog_label_counts()
            shares = {label: n / max(items, 1) for label, n in counts.items()}
        vector = get_encoder().encode_cached([topic])[0]
        # Only the categories and the distance, by the HNSW index's own order
        # (catalog.models.INDEXED_EMBEDDING): a preview pays this for each new
        # line, and whole rows (vectors, descriptions) cost several times more.
        rows = list(
            Item.objects.filter(is_active=True)
            .exclude(embedding=None)
            .annotate(distance=CosineDistance(INDEXED_EMBEDDING, HalfVector(vector)))
            .order_by("distance")
            .values_list("categories", "distance")[: concepts.VOTE_K]
        )
        found = concepts.Neighbours(
            np.array([1.0 - distance for _, distance in rows], dtype=np.float64),
            [tuple(categories) for categories, _ in rows],
            shares,
            vocabulary,
        )
        with _neighbours_lock:
            if _neighbours.get("stats") is stats:
                if len(_neighbours) >= NEIGHBOURS_KEPT:
                    _neighbours.clear()
                    _neighbours["stats"] = stats
                _neighbours[("shares",)] = shares
                _neighbours[("topic", topic)] = found
        return found

    return nearest
