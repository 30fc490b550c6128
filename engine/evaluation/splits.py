"""Leak-free splits of the interactions.

Every split here is temporal per person: what is tested happened after
everything trained on. Masks are over the rows of an ``Interactions``.
"""

from dataclasses import dataclass

import numpy as np

from engine.collaborative import validation_split
from engine.evaluation.data import Interactions

TEST_SHARE = 0.2
COLD_ITEM_SHARE = 0.1


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # bool per interaction row
    test: np.ndarray  # bool per row: held-out positives, one row per (person, item)


def _latest_positive_rows(interactions: Interactions, n_items: int) -> np.ndarray:
    """Row numbers of the positives, one per (person, item): the latest."""
    rows = np.flatnonzero(interactions.positive)
    if not len(rows):
        return rows
    keys = interactions.pairs(n_items)[rows]
    order = np.lexsort((-np.arange(len(rows)), -interactions.time[rows], keys))
    first = np.ones(len(order), dtype=bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    return np.sort(rows[order[first]])


def temporal_split(
    interactions: Interactions, *, n_items: int, share: float = TEST_SHARE, seed: int = 0
) -> Split:
    """Hold out each person's last ``share`` of positives (at least 1) as the test set.

    1. One positive per (person, item), its latest time.
    2. The latest ``share`` of each person's positives, at least one, are
       test (engine.collaborative.validation_split: ties in time are broken
       by a seeded shuffle).
    3. Training is everything the person did before their first test
       positive, plus their other positives at that same second (the tie
       break put them first), and nothing about a test item: a rating and a
       like of the same item never end up on both sides.
    """
    n = len(interactions)
    test = np.zeros(n, dtype=bool)
    rows = _latest_positive_rows(interactions, n_items)
    if not len(rows):
        return Split(train=np.ones(n, dtype=bool), test=test)
    held = validation_split(
        interactions.user[rows],
        interactions.time[rows],
        share=share,
        max_holdout=np.iinfo(np.int32).max,
        min_history=1,
        seed=seed,
    )
    test[rows[held]] = True
    n_people = int(interactions.user.max()) + 1
    cutoff = np.full(n_people, np.inf)
    np.minimum.at(cutoff, interactions.user[test], interactions.time[test])
    keys = interactions.pairs(n_items)
    in_test_pair = np.isin(keys, keys[test])
    before = interactions.time < cutoff[interactions.user]
    same_second_positive = interactions.positive & (interactions.time <= cutoff[interactions.user])
    train = ~in_test_pair & (before | same_second_positive)
    return Split(train=train, test=test)


def cold_items(
    interactions: Interactions, *, n_items: int, share: float = COLD_ITEM_SHARE, seed: int = 0
) -> np.ndarray:
    """A seeded ``share`` of the items that someone liked, as sorted indexes.

    Items nobody liked could never be a test item: drawing them would only
    shrink the protocol's sample.
    """
    liked = np.unique(interactions.item[interactions.positive])
    if not len(liked):
        return liked
    rng = np.random.default_rng(seed)
    count = max(1, round(share * len(liked)))
    return np.sort(rng.choice(liked, size=min(count, len(liked)), replace=False))


def latest_rows(
    interactions: Interactions, mask: np.ndarray, person: int, count: int
) -> np.ndarray:
    """Row numbers of the person's ``count`` most recent rows within ``mask``,
    oldest first (ties: file order)."""
    rows = np.flatnonzero(mask & (interactions.user == person))
    order = np.lexsort((rows, interactions.time[rows]))
    return rows[order][max(0, len(rows) - count) :] if count else rows[:0]
