"""Collaborative filtering on binary implicit feedback: EASE and item-kNN.

Plain numpy/scipy, no Django: the training task and the offline evaluation
both build on these pieces. Items and users are dense indexes 0..n-1 here;
callers map their own ids (``train`` does it for database ids).

Weights are item x item: ``W[i, j]`` is how much a positive for item ``i``
raises the score of item ``j``. A person's score for ``j`` is the sum of
``W[i, j]`` over the items ``i`` in their history, so the neighbours stored
for item ``i`` are the largest entries of row ``i`` (in size: EASE's negative
weights correct the sum, see ``top_neighbours``).
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from scipy.linalg import lapack

EASE = "ease"
ITEMKNN = "itemknn"

# Rows of a dense score block are sized to about this many floats (64 MiB):
# large enough for BLAS to be efficient, small enough on a 100k-item catalog.
_BLOCK_FLOATS = 16 * 1024 * 1024
# Item-kNN works on blocks of items whose co-occurrence products stay below
# about this many entries (~240 MiB with their indexes), whatever the catalog.
_KNN_BLOCK_ENTRIES = 20_000_000


@dataclass(frozen=True)
class TrainingConfig:
    """What a training run may choose from; stored with the model and part of
    its fingerprint, so a change of configuration trains again."""

    # EASE needs a dense items x items matrix (two at a time); above this
    # many trainable items item-kNN is used. At 10,000 items (400 MB a
    # float32 matrix) a synthetic 5,000 people x 400,000 positives trains in
    # 57 s here (2 cores) with a 1.2 GB peak; item-kNN takes 10 s on it.
    dense_max_items: int = 10_000
    # Neighbours kept per item for serving. Every person's score is a sum over
    # their positives of these rows: on ml-latest-small the 200 strongest give
    # NDCG@10 0.1365 against full EASE's 0.1383, the 50 strongest 0.1304.
    neighbours: int = 200
    # An item needs this many people with a positive for it to be in the
    # model at all (items below get no CF neighbours; content similarity
    # covers them). Raising it shrinks EASE's matrix: on ml-latest-small
    # 6,298 items have a positive and 3,722 two or more, and training takes
    # 15 s against 4 s (bench/collaborative_training.py). Ranking quality on
    # one held-out set is the same (NDCG@20 0.1008 with 1, 0.1004 with 2,
    # 0.0999 with 3, 0.1009 with 5), and with 2 the 8-reader sample catalog
    # would keep 7 of its 150 items instead of 114.
    # So 1, with the time to spare; raise it to keep a larger catalog
    # under the dense limit.
    min_support: int = 1
    # EASE regularisation grid, tuned on the validation split. Factor-2 steps
    # over the range where ranking quality peaks on MovieLens-sized data.
    lambdas: tuple[float, ...] = (50.0, 100.0, 200.0, 400.0, 800.0, 1600.0)
    # Item-kNN: cosine co-occurrence / (|i| |j| ** 0.5 + shrinkage).
    shrinkage: float = 10.0
    # Validation: each person's last share of positives by time (at least 1,
    # at most max_holdout) is held out, for people with at least
    # min_validation_history positives; at most max_validation_users people.
    holdout_share: float = 0.2
    max_holdout: int = 10
    min_validation_history: int = 3
    max_validation_users: int = 5000
    # Ranking metric cut-off (NDCG@k chooses lambda; recall@k is reported).
    k: int = 20
    seed: int = 0


@dataclass(frozen=True)
class Neighbours:
    """Top neighbours per item, CSR-like: row ``i`` is
    ``indices[indptr[i]:indptr[i+1]]`` with ``scores`` alongside, best first."""

    indptr: np.ndarray
    indices: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def of(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self.indptr[row], self.indptr[row + 1]
        return self.indices[start:stop], self.scores[start:stop]

    def counts(self) -> np.ndarray:
        return np.diff(self.indptr)


@dataclass(frozen=True)
class TrainingResult:
    algorithm: str
    # Database ids (or whatever the caller passed) of the model's items; the
    # neighbour indices point into this array.
    item_ids: np.ndarray
    neighbours: Neighbours
    users: int
    interactions: int
    params: dict
    # Seconds per phase: "split", "tune" (EASE: the lambda search; item-kNN:
    # its validation score), "fit" (on all positives), "neighbours".
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return len(self.item_ids)

    def neighbour_rows(self) -> Iterator[tuple[int, list[int], list[float]]]:
        """(item id, neighbour ids, scores) for each item that has neighbours, one
        at a time: as Python lists, a million items' rows would take gigabytes."""
        ids = self.item_ids
        for row in np.flatnonzero(self.neighbours.counts()):
            indices, scores = self.neighbours.of(row)
            yield int(ids[row]), ids[indices].tolist(), scores.astype(float).tolist()

    def neighbour_lists(self) -> list[tuple[int, list[int], list[float]]]:
        """Every row of ``neighbour_rows`` (small models: tests, evaluation)."""
        return list(self.neighbour_rows())


def interaction_matrix(
    user_index: np.ndarray, item_index: np.ndarray, *, n_users: int, n_items: int
) -> sparse.csr_matrix:
    """The binary user x item matrix (float32): 1 where the user has a positive."""
    matrix = sparse.csr_matrix(
        (np.ones(len(user_index), dtype=np.float32), (user_index, item_index)),
        shape=(n_users, n_items),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0  # a pair given twice is still one positive
    return matrix


def gram_matrix(X: sparse.spmatrix) -> np.ndarray:
    """X^T X as a dense float32 array: co-occurrence counts of item pairs."""
    X = sparse.csr_matrix(X, dtype=np.float32)
    # C order: the product is CSC, whose dense form would be Fortran-ordered.
    return (X.T @ X).toarray(order="C")


def ease_fit(X: sparse.spmatrix, lam: float) -> np.ndarray:
    """EASE weights for the binary matrix ``X``: dense items x items, zero diagonal."""
    return ease_from_gram(gram_matrix(X), lam, overwrite=True)


def ease_from_gram(gram: np.ndarray, lam: float, *, overwrite: bool = False) -> np.ndarray:
    """EASE weights from the Gram matrix X^T X (Steck 2019, closed form).

    1. P = (G + lam I)^-1, by Cholesky factorisation and inversion of the
       factor (LAPACK potrf + potri). Measured here (2 cores, float32):
       6,298 items take 1.5-1.8 s, against 9.2 s for numpy.linalg.inv (LU)
       and 35 s for an eigendecomposition (which would serve every lambda
       from one factorisation, but costs more than the whole lambda grid).
       float32 is twice as fast as float64 and agrees to 6e-7 relative.
    2. potri fills one triangle; mirror it, in row blocks to use no second
       n x n array.
    3. B = I - P diag(1/diag(P)): off the diagonal B[i, j] = -P[i, j] / P[j, j],
       and the diagonal is zero (an item never recommends itself).
    """
    if lam <= 0:
        raise ValueError(f"lambda must be positive, got {lam}")
    n = gram.shape[0]
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    matrix = gram if overwrite else gram.copy()
    matrix = np.asarray(matrix, dtype=np.float32)
    matrix[np.diag_indices(n)] += np.float32(lam)
    # LAPACK works in place only on Fortran-ordered memory, and the
    # transpose of a C-ordered symmetric array is that same matrix in
    # Fortran order. Anything else would be copied: n x n more memory.
    fortran = matrix if matrix.flags.f_contiguous else matrix.T
    factor, info = lapack.spotrf(fortran, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"Gram matrix + lambda is not positive definite ({info})")
    inverse, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky inversion failed ({info})")
    # The inverse is symmetric, so its C-ordered transpose is the same
    # matrix too, with the valid triangle now below the diagonal.
    weights = inverse.T
    block = 512
    for start in range(0, n, block):
        stop = min(start + block, n)
        weights[:start, start:stop] = weights[start:stop, :start].T
        square = weights[start:stop, start:stop]
        weights[start:stop, start:stop] = np.tril(square) + np.tril(square, -1).T
    diagonal = np.diag(weights).copy()
    weights /= -diagonal[np.newaxis, :]
    np.fill_diagonal(weights, 0.0)
    return weights


def itemknn_fit(X: sparse.spmatrix, *, shrinkage: float, k: int) -> sparse.csr_matrix:
    """Item-kNN weights: each item's top-k cosine neighbours, with shrinkage.

    sim(i, j) = |U_i & U_j| / (sqrt(|U_i| |U_j|) + shrinkage), so a pair seen
    together by few people scores lower than an equally cosine-similar pair
    with more support. Works without any dense items x items array:

    1. Split the items into blocks whose co-occurrence products stay below a
       fixed number of entries (popular items make small blocks).
    2. For each block, co-occurrence counts of its items with every item
       (sparse), turned into shrunk cosine, diagonal dropped.
    3. Keep each row's top k positive entries.
    """
    X = sparse.csr_matrix(X, dtype=np.float32)
    n_items = X.shape[1]
    support = np.asarray(X.sum(axis=0), dtype=np.float64).ravel()
    norms = np.sqrt(support)
    items_by_user = X.T.tocsr()
    # Upper bound of a row's co-occurrence entries: the sum of its users' history lengths.
    cost = items_by_user @ np.asarray(X.sum(axis=1), dtype=np.float64).ravel()
    # A new block starts each time the running cost passes another multiple
    # of the budget; a block overshoots by at most its last item.
    block_of = (np.cumsum(cost) - cost) // _KNN_BLOCK_ENTRIES
    bounds = [0, *(np.flatnonzero(np.diff(block_of)) + 1).tolist(), n_items]

    parts = []
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        counts = (items_by_user[start:stop] @ X).tocoo()
        rows, cols = counts.row, counts.col
        similarity = counts.data / (norms[rows + start] * norms[cols] + shrinkage)
        off_diagonal = rows + start != cols
        block = sparse.csr_matrix(
            (similarity[off_diagonal].astype(np.float32), (rows[off_diagonal], cols[off_diagonal])),
            shape=(stop - start, n_items),
        )
        parts.append(_csr_top_k(block, k))
    if not parts:
        return sparse.csr_matrix((n_items, n_items), dtype=np.float32)
    indptr = np.concatenate(
        [[0]] + [p.indptr[1:] + offset for p, offset in zip(parts, _offsets(parts), strict=True)]
    )
    return sparse.csr_matrix(
        (
            np.concatenate([p.scores for p in parts]),
            np.concatenate([p.indices for p in parts]),
            indptr,
        ),
        shape=(n_items, n_items),
    )


def _offsets(parts: list[Neighbours]) -> list[int]:
    sizes = [len(p.indices) for p in parts]
    return [int(v) for v in np.concatenate([[0], np.cumsum(sizes)[:-1]])]


def _csr_top_k(matrix: sparse.csr_matrix, k: int) -> Neighbours:
    """Each row's k largest entries in size, largest first (ties: lower column first)."""
    matrix = sparse.csr_matrix(matrix)
    matrix.sum_duplicates()  # also sorts each row's columns
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    order = np.lexsort((matrix.indices, -np.abs(matrix.data), rows))
    rank = np.arange(len(order)) - matrix.indptr[rows[order]]
    keep = order[(rank < k) & (matrix.data[order] != 0)]
    counts = np.bincount(rows[keep], minlength=matrix.shape[0])
    return Neighbours(
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        indices=matrix.indices[keep].astype(np.int64),
        scores=matrix.data[keep].astype(np.float32),
    )


def top_neighbours(weights: np.ndarray | sparse.spmatrix, n: int) -> Neighbours:
    """Each item's ``n`` strongest neighbours, largest weight (in size) first.

    Negative EASE weights ("people who liked i tend not to like j") are kept
    among the strongest: they correct a sum of positives. Measured on
    ml-latest-small (NDCG@10, every positive of a person, full ranking): the
    200 largest positive weights alone 0.1307, the 200 largest in size
    0.1365, every weight (full EASE) 0.1383. Item-kNN weights are never
    negative.
    """
    if sparse.issparse(weights):
        return _csr_top_k(sparse.csr_matrix(weights), n)
    rows_total, n_items = weights.shape
    if rows_total == 0 or n <= 0:
        return Neighbours(np.zeros(rows_total + 1, np.int64), np.zeros(0, np.int64), np.zeros(0))
    take = min(n, n_items)
    indices_parts, scores_parts, counts = [], [], []
    step = max(1, _BLOCK_FLOATS // max(n_items, 1))
    for start in range(0, rows_total, step):
        block = weights[start : start + step]
        size = np.abs(block)
        if take < n_items:
            candidates = np.argpartition(-size, take - 1, axis=1)[:, :take]
        else:
            candidates = np.broadcast_to(np.arange(n_items), block.shape)
        values = np.take_along_axis(block, candidates, axis=1)
        order = np.lexsort((candidates, -np.abs(values)), axis=-1)
        candidates = np.take_along_axis(candidates, order, axis=1)
        values = np.take_along_axis(values, order, axis=1)
        kept = values != 0
        indices_parts.append(candidates[kept])
        scores_parts.append(values[kept])
        counts.append(kept.sum(axis=1))
    counts = np.concatenate(counts)
    return Neighbours(
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        indices=np.concatenate(indices_parts).astype(np.int64),
        scores=np.concatenate(scores_parts).astype(np.float32),
    )


def user_scores(
    weights: np.ndarray | sparse.spmatrix, history: Sequence[int], *, exclude_history: bool = True
) -> np.ndarray:
    """One person's score for every item: the sum of their history's weight rows.

    Items already in the history get -inf, so a ranking never repeats them.
    """
    history = np.asarray(history, dtype=np.int64)
    n_items = weights.shape[1]
    if len(history) == 0:
        scores = np.zeros(n_items, dtype=np.float32)
    elif sparse.issparse(weights):
        scores = np.asarray(sparse.csr_matrix(weights)[history].sum(axis=0)).ravel()
    else:
        scores = weights[history].sum(axis=0)
    scores = np.asarray(scores, dtype=np.float32)
    if exclude_history:
        scores[history] = -np.inf
    return scores


def validation_split(
    user_index: np.ndarray,
    timestamps: np.ndarray,
    *,
    share: float = 0.2,
    max_holdout: int = 10,
    min_history: int = 3,
    max_users: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Which positives to hold out: each person's latest, by time.

    Returns a boolean mask over the given positives (one per user-item pair).

    1. Order each person's positives by time; ties (MovieLens often stores a
       whole session under one second) are broken by a seeded shuffle.
    2. Hold out the last ``share`` of them, at least 1 and at most
       ``max_holdout``, for people with at least ``min_history`` positives
       (others keep all: they would have too little left to learn from).
    3. With more eligible people than ``max_users``, a seeded sample of them
       is used: the metric is an average, and scoring costs grow with people.
    """
    user_index = np.asarray(user_index)
    n = len(user_index)
    held = np.zeros(n, dtype=bool)
    if n == 0:
        return held
    rng = np.random.default_rng(seed)
    tiebreak = rng.permutation(n)
    order = np.lexsort((tiebreak, np.asarray(timestamps), user_index))
    users_sorted = user_index[order]
    boundaries = np.flatnonzero(np.diff(users_sorted)) + 1
    starts = np.concatenate([[0], boundaries])
    sizes = np.diff(np.concatenate([starts, [n]]))
    eligible = sizes >= min_history
    if max_users is not None and eligible.sum() > max_users:
        chosen = rng.choice(np.flatnonzero(eligible), size=max_users, replace=False)
        eligible = np.zeros_like(eligible)
        eligible[chosen] = True
    holdout = np.clip(np.ceil(sizes * share).astype(np.int64), 1, max_holdout) * eligible
    position = np.arange(n) - np.repeat(starts, sizes)
    from_end = np.repeat(sizes, sizes) - position
    held[order] = from_end <= np.repeat(holdout, sizes)
    return held


def ranking_metrics(
    weights: np.ndarray | sparse.spmatrix,
    history: sparse.csr_matrix,
    held_out: sparse.csr_matrix,
    *,
    k: int,
) -> dict[str, float]:
    """Mean NDCG@k and recall@k of ranking every unseen item for each person.

    ``history`` and ``held_out`` are user x item rows of the same people.
    Recall is normalised by min(k, held-out items) so a perfect list scores 1.
    People with nothing held out are skipped.
    """
    history = sparse.csr_matrix(history)
    held_out = sparse.csr_matrix(held_out)
    n_items = weights.shape[1]
    held_counts = np.diff(held_out.indptr)
    people = np.flatnonzero(held_counts)
    if len(people) == 0 or n_items == 0:
        return {"ndcg": 0.0, "recall": 0.0, "users": 0}
    take = min(k, n_items)
    discounts = 1.0 / np.log2(np.arange(2, take + 2))
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])
    if _ranks_sparsely(weights):
        ndcg_sum, recall_sum = _sparse_sums(weights, history, held_out, people, discounts, ideal)
        return {
            "ndcg": ndcg_sum / len(people),
            "recall": recall_sum / len(people),
            "users": int(len(people)),
        }
    ndcg_sum = recall_sum = 0.0
    step = max(1, _BLOCK_FLOATS // n_items)
    for start in range(0, len(people), step):
        rows = people[start : start + step]
        seen = history[rows]
        scores = seen @ weights
        scores = scores.toarray() if sparse.issparse(scores) else np.asarray(scores)
        scores = scores.astype(np.float32, copy=False)
        scores[seen.nonzero()] = -np.inf
        if take < n_items:
            top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        else:
            top = np.broadcast_to(np.arange(n_items), scores.shape).copy()
        top_scores = np.take_along_axis(scores, top, axis=1)
        top = np.take_along_axis(top, np.argsort(-top_scores, axis=1, kind="stable"), axis=1)
        relevant = held_out[rows].toarray() > 0
        hits = np.take_along_axis(relevant, top, axis=1)
        expected = np.minimum(held_counts[rows], take)
        ndcg_sum += float(((hits @ discounts) / ideal[expected]).sum())
        recall_sum += float((hits.sum(axis=1) / expected).sum())
    return {
        "ndcg": ndcg_sum / len(people),
        "recall": recall_sum / len(people),
        "users": int(len(people)),
    }


# From this many items on, sparse non-negative weights (item-kNN) are ranked
# on each person's non-zero scores only. A dense ranking writes a score for
# every item: at 285,000 model items (1M-item catalog, 2M positives) that was
# most of training's validation time.
_SPARSE_RANKING_ITEMS = 50_000
_SPARSE_RANKING_PEOPLE = 1_000


def _ranks_sparsely(weights) -> bool:
    return (
        sparse.issparse(weights)
        and weights.shape[1] >= _SPARSE_RANKING_ITEMS
        and float(weights.data.min(initial=0.0)) >= 0.0
    )


def _sparse_sums(weights, history, held_out, people, discounts, ideal) -> tuple[float, float]:
    """ranking_metrics' sums (NDCG, recall) from each person's top non-zero scores.

    Items no neighbour of the history reaches score 0 and are not ranked (a
    dense ranking places them after the rest in index order, where a hit is
    luck); ties rank the lower index first, as top_neighbours does.
    """
    take = len(discounts)
    held_counts = np.diff(held_out.indptr)
    weights = sparse.csr_matrix(weights)
    ndcg_sum = recall_sum = 0.0
    for start in range(0, len(people), _SPARSE_RANKING_PEOPLE):
        rows = people[start : start + _SPARSE_RANKING_PEOPLE]
        seen = history[rows]
        scores = sparse.csr_matrix(seen @ weights)
        scores = scores - scores.multiply(seen > 0)  # never the history
        scores.eliminate_zeros()
        top = _csr_top_k(scores, take)
        owner = np.repeat(np.arange(len(rows)), top.counts())
        position = np.arange(len(top.indices)) - top.indptr[owner]
        hits = np.asarray(held_out[rows][owner, top.indices]).ravel() > 0
        expected = np.minimum(held_counts[rows], take)
        gains = np.bincount(owner, weights=discounts[position] * hits, minlength=len(rows))
        found = np.bincount(owner, weights=hits.astype(np.float64), minlength=len(rows))
        ndcg_sum += float((gains / ideal[expected]).sum())
        recall_sum += float((found / expected).sum())
    return ndcg_sum, recall_sum


def ease_tune(
    X_train: sparse.csr_matrix,
    held_out: sparse.csr_matrix,
    lambdas: Sequence[float],
    *,
    k: int,
    on_lambda: Callable[[int, float], None] | None = None,
) -> tuple[float, dict[float, dict[str, float]]]:
    """The lambda of ``lambdas`` with the best validation NDCG@k, and every score.

    The Gram matrix is built once; each lambda costs one Cholesky inversion
    (see ease_from_gram) and the scoring of the validation people. Ties go
    to the larger lambda (the simpler model); with no one to validate on,
    the largest lambda is the safe guess for little data. ``on_lambda(i,
    lam)`` is told as each one starts (about 2 s each at 6,298 items).
    """
    if not lambdas:
        raise ValueError("the lambda grid is empty")
    gram = gram_matrix(X_train)
    people = np.flatnonzero(np.diff(held_out.indptr))
    if len(people) == 0:
        return float(max(lambdas)), {}
    history, relevant = X_train[people], held_out[people]
    scores: dict[float, dict[str, float]] = {}
    # One work array for every lambda: a fresh n x n copy each time spent
    # 0.45 s of ~2 s per lambda at 6,298 items on first touching its pages.
    work = np.empty_like(gram)
    for index, lam in enumerate(lambdas):
        if on_lambda:
            on_lambda(index, float(lam))
        np.copyto(work, gram)
        weights = ease_from_gram(work, lam, overwrite=True)
        scores[float(lam)] = ranking_metrics(weights, history, relevant, k=k)
    del work, weights
    best = max(scores, key=lambda lam: (scores[lam]["ndcg"], lam))
    return best, scores


def data_fingerprint(
    user_ids: np.ndarray, item_ids: np.ndarray, timestamps: np.ndarray, config: TrainingConfig
) -> str:
    """A digest of exactly what training reads: the positives (in any order)
    and the configuration. Equal digests train equal models."""
    users = np.asarray(user_ids, dtype=np.int64)
    items = np.asarray(item_ids, dtype=np.int64)
    times = np.asarray(timestamps, dtype=np.float64)
    order = np.lexsort((times, items, users))
    digest = hashlib.sha256()
    for array in (users[order], items[order], times[order]):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(json.dumps(asdict(config), sort_keys=True).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Indexed:
    """Positives as dense indexes: one per (user, item), items with enough support."""

    user_index: np.ndarray
    item_index: np.ndarray
    times: np.ndarray
    model_items: np.ndarray  # the caller's item ids of the model's items
    n_users: int
    below_support: int

    @classmethod
    def of(cls, users, items, times, min_support: int) -> "_Indexed":
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        times = np.asarray(times, dtype=np.float64)
        order = np.lexsort((-times, items, users))
        users, items, times = users[order], items[order], times[order]
        first = np.ones(len(users), dtype=bool)
        first[1:] = (users[1:] != users[:-1]) | (items[1:] != items[:-1])
        users, items, times = users[first], items[first], times[first]
        model_items, item_index, support = np.unique(items, return_inverse=True, return_counts=True)
        trainable = support >= min_support
        kept = trainable[item_index]
        model_items = model_items[trainable]
        users, items, times = users[kept], items[kept], times[kept]
        model_users, user_index = np.unique(users, return_inverse=True)
        return cls(
            user_index=user_index,
            item_index=np.searchsorted(model_items, items),
            times=times,
            model_items=model_items,
            n_users=len(model_users),
            below_support=int((~trainable).sum()),
        )

    def matrices(self, config: "TrainingConfig"):
        """(train, held out, all) user x item matrices: the validation people's
        latest positives held out (validation_split)."""
        held = validation_split(
            self.user_index,
            self.times,
            share=config.holdout_share,
            max_holdout=config.max_holdout,
            min_history=config.min_validation_history,
            max_users=config.max_validation_users,
            seed=config.seed,
        )
        shape = {"n_users": self.n_users, "n_items": len(self.model_items)}
        users, items = self.user_index, self.item_index
        return (
            interaction_matrix(users[~held], items[~held], **shape),
            interaction_matrix(users[held], items[held], **shape),
            interaction_matrix(users, items, **shape),
        )


def _fit(dense: bool, X_train, X_held, X_all, config: "TrainingConfig", report, params, seconds):
    """EASE (lambda tuned on the split) or item-kNN (scored on it); the weights."""
    mark = time.perf_counter()
    if dense:
        lam, grid = ease_tune(
            X_train,
            X_held,
            config.lambdas,
            k=config.k,
            on_lambda=lambda index, value: report(f"trying lambda {value:g}", 1 + index),
        )
        params.update(
            {
                "lambda": lam,
                "validation": grid.get(lam, {}),
                "lambda_grid": {str(value): grid[value] for value in grid},
            }
        )
        seconds["tune"] = time.perf_counter() - mark
        report("fitting EASE", -2)
        mark = time.perf_counter()
        n_items = X_all.shape[1]
        weights = ease_fit(X_all, lam) if n_items else np.zeros((0, 0), np.float32)
    else:
        report("validating item-kNN", 1)
        validation_weights = itemknn_fit(X_train, shrinkage=config.shrinkage, k=config.neighbours)
        params["validation"] = ranking_metrics(validation_weights, X_train, X_held, k=config.k)
        del validation_weights
        seconds["tune"] = time.perf_counter() - mark
        report("fitting item-kNN", -2)
        mark = time.perf_counter()
        weights = itemknn_fit(X_all, shrinkage=config.shrinkage, k=config.neighbours)
    seconds["fit"] = time.perf_counter() - mark
    return weights


def _neighbours_of(weights, k: int) -> Neighbours:
    """Each item's ``k`` strongest neighbours from the fitted weights."""
    if sparse.issparse(weights):
        # Item-kNN kept each row's top ``neighbours``, best first, as
        # top_neighbours would (tests/test_collaborative.py checks): sorting
        # tens of millions of entries again would only cost time and memory.
        return Neighbours(
            indptr=weights.indptr.astype(np.int64),
            indices=weights.indices.astype(np.int64),
            scores=weights.data.astype(np.float32),
        )
    return top_neighbours(weights, k)


def train(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    timestamps: np.ndarray,
    config: TrainingConfig | None = None,
    *,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> TrainingResult:
    """Train the collaborative model from positives (user id, item id, time).

    1. One positive per (user, item), the latest time kept.
    2. Keep items with at least ``min_support`` people; index users and items.
    3. Hold out each validation person's latest positives.
    4. EASE when the items fit ``dense_max_items``: tune lambda on the split,
       then fit on all positives. Otherwise item-kNN, scored on the split
       for the record and fitted on all positives.
    5. Keep each item's strongest neighbours (top_neighbours).

    ``on_progress(phase, done, total)`` is told as each step starts: the
    split, each lambda tried (one step for item-kNN's validation), the fit
    and the neighbours.
    """
    config = config or TrainingConfig()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    indexed = _Indexed.of(user_ids, item_ids, timestamps, config.min_support)
    n_items = len(indexed.model_items)
    dense = n_items <= config.dense_max_items
    steps = 3 + (len(config.lambdas) if dense else 1)

    def report(phase: str, done: int) -> None:
        if on_progress:
            on_progress(phase, done if done >= 0 else steps + done, steps)

    report("splitting", 0)
    X_train, X_held, X_all = indexed.matrices(config)
    seconds["split"] = time.perf_counter() - started
    params: dict = {
        "config": asdict(config),
        "validation_users": int(len(np.flatnonzero(np.diff(X_held.indptr)))),
        "held_out": int(X_held.nnz),
    }
    weights = _fit(dense, X_train, X_held, X_all, config, report, params, seconds)
    report("keeping neighbours", -1)
    mark = time.perf_counter()
    neighbours = _neighbours_of(weights, config.neighbours)
    del weights
    seconds["neighbours"] = time.perf_counter() - mark
    params["neighbours_kept"] = int(len(neighbours.indices))
    params["items_with_neighbours"] = int((neighbours.counts() > 0).sum())
    params["items_below_support"] = indexed.below_support
    return TrainingResult(
        algorithm=EASE if dense else ITEMKNN,
        item_ids=indexed.model_items,
        neighbours=neighbours,
        users=indexed.n_users,
        interactions=int(len(indexed.user_index)),
        params=params,
        seconds=seconds,
    )
