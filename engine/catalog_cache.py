"""The catalog as every request sees it, cached per process.

Scoring z-normalises a line's similarities against the whole catalog
(engine.scoring.CatalogStats) and acts on category labels; both need reads
over every item, far too slow for a request. Each web process keeps them
and checks with one cheap aggregate whether they are still current.
"""

import threading
import time

import numpy as np
from django.conf import settings
from django.db import connection

from catalog.selectors import categories_in_use
from engine import retrieval, scoring
from profiles.parser import TAG_PREFIX

_stats_lock = threading.Lock()
_stats: dict[str, tuple[tuple, float, scoring.CatalogStats]] = {}


def catalog_stats() -> scoring.CatalogStats:
    """The catalog's vector mean and covariance, recomputed when embeddings change.

    Whether they changed is one aggregate over the catalog (10 ms on
    ml-latest-small), run at most every RECOMMEND_STATS_SECONDS; the vectors
    themselves are read only when it changed. A few minutes of lag are
    harmless: the statistics move slowly as a catalog grows.
    """
    now = time.monotonic()
    with _stats_lock:
        cached = _stats.get("catalog")
    if cached and now - cached[1] < settings.RECOMMEND_STATS_SECONDS:
        return cached[2]
    with connection.cursor() as cursor:
        # The last two for categories_in_use, which reads every active item,
        # embedded or not: every write to an item moves updated_at.
        cursor.execute(
            "SELECT count(embedding), max(embedded_at), "
            "max(popularity) FILTER (WHERE embedding IS NOT NULL), count(*), max(updated_at) "
            "FROM catalog_item WHERE is_active"
        )
        key = (connection.settings_dict["NAME"], *cursor.fetchone())
    if cached and cached[0] == key:
        stats = cached[2]
    else:
        _, vectors, popularity = retrieval.catalog_vectors()
        # An item's categories are part of its embedded text: changing them
        # re-embeds it, which changes the key.
        stats = scoring.CatalogStats.from_vectors(vectors, popularity, categories_in_use())
    with _stats_lock:
        _stats["catalog"] = (key, now, stats)
    return stats


_members_lock = threading.Lock()
_members: dict[str, object] = {}


def category_members(label: str, stats: scoring.CatalogStats) -> np.ndarray:
    """Ids of the active, embedded items carrying category ``label`` (or the tag
    of a "tag:" label, engine.concepts), most popular first.

    Read once per category for as long as ``stats`` (catalog_stats) stays the
    same object, so a line naming a category costs no query per request: its
    candidates and which candidates carry it come from this array. The order
    may lag popularity by as long as the statistics do; it only picks which
    of the category's items are candidates, and they are scored on current
    popularity.
    """
    with _members_lock:
        if _members.get("stats") is not stats:
            _members.clear()
            _members["stats"] = stats
        found = _members.get(label)
    if found is None:
        tag = label.removeprefix(TAG_PREFIX) if label.startswith(TAG_PREFIX) else ""
        found = np.array(
            retrieval.popular_ids(k=2**31 - 1, category="" if tag else label, tag=tag),
            dtype=np.int64,
        )
        with _members_lock:
            if _members.get("stats") is stats:
                _members[label] = found
    return found


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
    with _members_lock:
        if _members.get("stats") is not stats:
            _members.clear()
            _members["stats"] = stats
        found = _members.get(("tags",))
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM catalog_item WHERE is_active AND embedding IS NOT NULL"
            )
            (items,) = cursor.fetchone()
            cursor.execute(
                "SELECT tag FROM catalog_item, unnest(tags) AS tag "
                "WHERE is_active AND embedding IS NOT NULL GROUP BY tag HAVING count(*) >= %s",
                [max(TAG_MIN_ITEMS, int(TAG_MIN_SHARE * items))],
            )
            found = scoring.category_index(tag for (tag,) in cursor.fetchall())
        with _members_lock:
            if _members.get("stats") is stats:
                _members[("tags",)] = found
    return found
