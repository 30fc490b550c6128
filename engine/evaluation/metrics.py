"""Ranking metrics for one person's list, and their means over people.

``ranked`` is a person's ranking, best first (item indexes); ``relevant`` the
items they went on to like (the held-out test items). Definitions follow
RecBole's, so the published anchors in docs/EVALUATION.md mean the same thing:

- NDCG@k: sum of 1/log2(rank + 1) over relevant items in the top k, divided by
  the same sum for a perfect list (min(k, |relevant|) hits at the top).
- HR@k: 1 when at least one relevant item is in the top k.
- Recall@k: relevant items in the top k divided by all relevant items.
- MRR: 1 / the rank of the first relevant item in the whole ranking.
- Coverage: the share of the catalog that appears in at least one person's
  top k (k = 10 here): a list of the same ten hits for everybody scores low.
"""

import math
from collections.abc import Collection, Iterable, Sequence

import numpy as np

NDCG_K = 10
HR_K = 10
RECALL_K = 20
COVERAGE_K = 10
METRIC_NAMES = ("ndcg@10", "hr@10", "recall@20", "mrr", "coverage")


def ndcg_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(k, len(relevant))))
    return dcg / ideal


def hit_rate_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    return 1.0 if any(item in relevant for item in ranked[:k]) else 0.0


def recall_at_k(ranked: Sequence[int], relevant: Collection[int], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def reciprocal_rank(ranked: Sequence[int], relevant: Collection[int]) -> float:
    """1 / rank of the first relevant item; 0 when none is ranked at all."""
    for rank, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def coverage(lists: Iterable[Sequence[int]], n_items: int, k: int = COVERAGE_K) -> float:
    """Share of the ``n_items`` catalog found in at least one list's top ``k``."""
    if n_items <= 0:
        return 0.0
    shown: set[int] = set()
    for ranked in lists:
        shown.update(int(item) for item in ranked[:k])
    return len(shown) / n_items


def ranking(scores: np.ndarray) -> np.ndarray:
    """Item indexes best first; equal scores keep index order (deterministic)."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")


class MetricMeans:
    """Collects each person's metrics; ``result`` gives the means and coverage."""

    def __init__(self, n_items: int) -> None:
        self.n_items = n_items
        self.sums = dict.fromkeys(("ndcg@10", "hr@10", "recall@20", "mrr"), 0.0)
        self.people = 0
        self.shown: set[int] = set()

    def add(self, ranked: Sequence[int], relevant: Collection[int]) -> float:
        """Add one person's ranking (at least its top 20, or all of it for MRR);
        returns their NDCG@10."""
        relevant = set(relevant)
        ndcg = ndcg_at_k(ranked, relevant, NDCG_K)
        self.sums["ndcg@10"] += ndcg
        self.sums["hr@10"] += hit_rate_at_k(ranked, relevant, HR_K)
        self.sums["recall@20"] += recall_at_k(ranked, relevant, RECALL_K)
        self.sums["mrr"] += reciprocal_rank(ranked, relevant)
        self.shown.update(int(item) for item in ranked[:COVERAGE_K])
        self.people += 1
        return ndcg

    def add_scores(self, scores: np.ndarray, relevant: Collection[int]) -> float:
        """``add`` for a score per item (higher is better, -inf never shown).

        MRR needs the rank of the first relevant item in the whole ranking; it
        is computed from the scores directly instead of walking the list.
        """
        order = ranking(scores)
        relevant = {int(item) for item in relevant}
        top = order[:RECALL_K].tolist()
        ndcg = ndcg_at_k(top, relevant, NDCG_K)
        self.sums["ndcg@10"] += ndcg
        self.sums["hr@10"] += hit_rate_at_k(top, relevant, HR_K)
        self.sums["recall@20"] += recall_at_k(top, relevant, RECALL_K)
        if relevant:
            position = np.empty(len(order), dtype=np.int64)
            position[order] = np.arange(len(order))
            self.sums["mrr"] += 1.0 / (1 + int(position[list(relevant)].min()))
        self.shown.update(top[:COVERAGE_K])
        self.people += 1
        return ndcg

    def result(self) -> dict[str, float]:
        people = max(self.people, 1)
        means = {name: total / people for name, total in self.sums.items()}
        means["coverage"] = len(self.shown) / self.n_items if self.n_items else 0.0
        return {name: round(means[name], 6) for name in METRIC_NAMES}
