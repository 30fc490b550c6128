"""The trained neighbours of items, kept per web process.

A list reads the neighbour rows of every item that can pull candidates in:
the person's positives, and for each typed line its nearest items and its
category's popular ones (at 1,000,000 items a typed list: 390 rows,
28,425 neighbours, for 891 candidates), one query and its parsing on
every request. A trained model's rows never change (training writes a new
model and deletes the old one, engine.training), so a row read once serves
every later request for as long as its model is the active one: the cache
is keyed by the model (its id and training time, so a database made anew
whose ids start again is not served the old rows), and a request for
another model (a new one was trained) empties it. Rows the model lacks
(too little support) are kept too, as empty rows.

Bounded by the number of neighbour entries it holds (least recently used
rows leave first): RECOMMEND_NEIGHBOUR_CACHE_ENTRIES, 16 bytes an entry
(an int64 id and a float64 score, exactly what the database returns, so a
list is the same whether its rows came from here or from the query).
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from django.conf import settings
from django.db import connection

from engine.models import CollaborativeModel
from engine.training import NeighbourRows, neighbour_rows

_lock = threading.Lock()
# The rows of one model: item id -> (neighbour ids, scores), least recently used first.
_key: tuple | None = None  # (database, model id, trained at)
_rows: "OrderedDict[int, tuple[np.ndarray, np.ndarray]]" = OrderedDict()
_entries = 0


def cached_neighbour_rows(
    *, model: CollaborativeModel | None, item_ids: Sequence[int]
) -> NeighbourRows:
    """``engine.training.neighbour_rows`` of ``model``, the rows already read
    served from memory.

    One query for the rows not held yet (none when all are).
    """
    wanted = list(dict.fromkeys(int(item_id) for item_id in item_ids))
    limit = settings.RECOMMEND_NEIGHBOUR_CACHE_ENTRIES
    if model is None or not wanted:
        return NeighbourRows.empty(wanted)
    if limit <= 0:
        return neighbour_rows(model_id=model.pk, item_ids=wanted)
    model_id = model.pk
    key = (connection.settings_dict["NAME"], model_id, model.trained_at)
    held = _held(key, wanted)
    missing = [item_id for item_id in wanted if item_id not in held]
    if missing:
        read = neighbour_rows(model_id=model_id, item_ids=missing)
        for n, item_id in enumerate(read.sources.tolist()):
            start, stop = read.indptr[n], read.indptr[n + 1]
            held[item_id] = (
                read.neighbours[start:stop].copy(),
                read.scores[start:stop].copy(),
            )
        _keep(key, {item_id: held[item_id] for item_id in missing}, limit)
    rows = [held[item_id] for item_id in wanted]
    counts = [len(neighbours) for neighbours, _ in rows]
    return NeighbourRows(
        sources=np.asarray(wanted, dtype=np.int64),
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        neighbours=np.concatenate([n for n, _ in rows]) if rows else np.zeros(0, np.int64),
        scores=np.concatenate([s for _, s in rows]) if rows else np.zeros(0),
    )


def _held(key: tuple, wanted: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """The rows of ``wanted`` the cache holds for ``key``, each marked as just used."""
    global _key, _entries
    with _lock:
        if _key != key:  # another model (or database): nothing held is its
            _key, _entries = key, 0
            _rows.clear()
        held = {}
        for item_id in wanted:
            row = _rows.get(item_id)
            if row is not None:
                _rows.move_to_end(item_id)
                held[item_id] = row
        return held


def _keep(key: tuple, read: dict[int, tuple[np.ndarray, np.ndarray]], limit: int):
    global _entries
    with _lock:
        if _key != key:  # another request moved to a newer model meanwhile
            return
        for item_id, row in read.items():
            if item_id not in _rows:
                _rows[item_id] = row
                _entries += len(row[0]) + 1
        while _entries > limit and _rows:
            _, (neighbours, _) = _rows.popitem(last=False)
            _entries -= len(neighbours) + 1


def neighbour_cache_clear() -> None:
    """Forget every row (tests; a process that wants its memory back)."""
    global _key, _entries
    with _lock:
        _key, _entries = None, 0
        _rows.clear()
