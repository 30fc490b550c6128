"""The catalog's vector statistics, accumulated chunk by chunk (plain numpy).

Scoring z-normalises similarities with the mean and covariance of every
active item vector (engine.scoring.CatalogStats). At a million items those
vectors are 1.5 GB as float32, so nothing holds them at once: the worker
that stores the statistics (engine.catalog_statistics) reads the catalog in
chunks, and the evaluation, which has its vectors in memory, feeds them
through the same accumulator in the same chunks. This is the one way the
statistics are computed.

Chunks are merged with the pairwise update of Chan, Golub and LeVeque
(1979): each chunk's mean and scatter (sum of outer products of deviations
from its own mean) are exact two-pass values, and merging adds the shift
between the means, so the result matches ``np.cov`` over all vectors to
float64 rounding, without the cancellation of summing raw squares.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine import scoring

# Rows per chunk: 20,000 x 384 float64 is 61 MB, and the d x d product per
# chunk keeps BLAS busy.
CHUNK_ROWS = 20_000


@dataclass(frozen=True)
class CatalogMoments:
    """Count, mean and scatter of some item vectors, and their largest popularity."""

    count: int
    mean: np.ndarray  # float64, d
    scatter: np.ndarray  # float64, d x d: sum of (x - mean)(x - mean)'
    max_popularity: int = 0

    @classmethod
    def empty(cls, dims: int) -> "CatalogMoments":
        return cls(0, np.zeros(dims), np.zeros((dims, dims)), 0)

    @classmethod
    def of(cls, vectors: np.ndarray, popularity: np.ndarray) -> "CatalogMoments":
        """The moments of one chunk (two passes over it)."""
        vectors = np.asarray(vectors, dtype=np.float64)
        dims = vectors.shape[1] if vectors.ndim == 2 else 0
        if not len(vectors):
            return cls.empty(dims)
        mean = vectors.mean(axis=0)
        centred = vectors - mean
        return cls(
            count=len(vectors),
            mean=mean,
            scatter=centred.T @ centred,
            max_popularity=int(np.max(popularity, initial=0)),
        )

    def merged(self, other: "CatalogMoments") -> "CatalogMoments":
        """The moments of both sets of vectors together."""
        if not other.count:
            return self if self.count or not len(other.mean) else other
        if not self.count:
            return CatalogMoments(
                other.count,
                other.mean,
                other.scatter,
                max(self.max_popularity, other.max_popularity),
            )
        count = self.count + other.count
        shift = other.mean - self.mean
        return CatalogMoments(
            count=count,
            mean=self.mean + shift * (other.count / count),
            scatter=self.scatter
            + other.scatter
            + np.outer(shift, shift) * (self.count * other.count / count),
            max_popularity=max(self.max_popularity, other.max_popularity),
        )

    def stats(self, categories: Iterable[str] = ()) -> scoring.CatalogStats:
        """The CatalogStats scoring reads (fewer than two vectors: no spread known,
        as CatalogStats.from_vectors: zero mean, identity covariance)."""
        dims = len(self.mean)
        index = scoring.category_index(categories)
        if self.count < 2:
            return scoring.CatalogStats(np.zeros(dims), np.eye(dims), self.max_popularity, index)
        return scoring.CatalogStats(
            mean=self.mean.copy(),
            covariance=self.scatter / (self.count - 1),
            max_popularity=self.max_popularity,
            categories=index,
        )


def moments_of_chunks(chunks: Iterable[tuple[np.ndarray, np.ndarray]], dims: int) -> CatalogMoments:
    """The moments of every (vectors, popularity) chunk together."""
    total = CatalogMoments.empty(dims)
    for vectors, popularity in chunks:
        total = total.merged(CatalogMoments.of(vectors, popularity))
    return total


def catalog_stats_of(
    vectors: np.ndarray, popularity: np.ndarray, categories: Iterable[str] = ()
) -> scoring.CatalogStats:
    """CatalogStats of vectors already in memory, computed as the worker does."""
    vectors = np.asarray(vectors)
    dims = vectors.shape[1] if vectors.ndim == 2 else 0
    chunks = (
        (vectors[start : start + CHUNK_ROWS], popularity[start : start + CHUNK_ROWS])
        for start in range(0, len(vectors), CHUNK_ROWS)
    )
    return moments_of_chunks(chunks, dims).stats(categories)
