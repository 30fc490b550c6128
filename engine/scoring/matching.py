"""How close each item is to a line's words, to its group's centre, and to its label."""

from collections.abc import Sequence

import numpy as np

from engine.scoring.model import (
    AVOID_REMOVE_Z,
    DETACHED_Z,
    LABEL_REMOVE_WEIGHT,
    LABEL_TIE_BREAK,
    MATCH_SPAN_Z,
    MATCH_START_Z,
    MAX_MATCH,
    Candidates,
    CatalogStats,
    ProfileStatement,
)


def _similarities(items: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """items x rows cosine similarities, float64, computed in the items' own
    precision: the catalog's float32 vectors are read once, never copied."""
    items = np.asarray(items)
    if items.dtype not in (np.float32, np.float64):
        items = items.astype(np.float64)
    return np.asarray(items @ np.asarray(rows, dtype=items.dtype).T, dtype=np.float64)


def _z_matches(
    similarities: np.ndarray, vectors_of: np.ndarray, weights: np.ndarray, stats: CatalogStats
) -> tuple[np.ndarray, np.ndarray]:
    means, deviations = stats.similarity_moments(vectors_of)
    z = (similarities - means) / deviations
    return weights * np.clip((z - MATCH_START_Z) / MATCH_SPAN_Z, 0.0, MAX_MATCH), z * weights


def statement_matches(
    statements: Sequence[ProfileStatement],
    vectors: np.ndarray,
    stats: CatalogStats,
    similarities: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weight-scaled match (0-1.5) and weight-scaled z-score of every item
    to every statement's words, each n x s.

    Each statement's similarity is turned into a z-score against the whole
    catalog, so a statement about a crowded topic is not favoured over a
    narrow one. ``similarities``: the items' cosine to each statement's
    words, when the caller computed them already (all_matches).
    """
    if not statements or not len(vectors):
        empty = np.zeros((len(vectors), len(statements)))
        return empty, empty
    weights = np.array([s.weight for s in statements])
    words = np.stack([s.vector for s in statements])
    if similarities is None:
        similarities = _similarities(vectors, words)
    return _z_matches(similarities, words, weights, stats)


def detached(vector: np.ndarray, centre: np.ndarray, stats: CatalogStats) -> bool:
    """Whether a line's words no longer describe its group: its group's centre
    is not among what the words match (z-score below DETACHED_Z).

    Measured on ml-latest-small: generated lines put their own centre at z
    2.4 (median), 9% below 1.0; six unrelated phrasings put it below 1.0 for
    71% of groups. Only lines the person reworded are checked.
    """
    means, deviations = stats.similarity_moments(np.atleast_2d(vector))
    z = (float(np.asarray(vector, dtype=np.float64) @ centre) - means[0]) / deviations[0]
    return z < DETACHED_Z


def centre_matches(
    statements: Sequence[ProfileStatement],
    vectors: np.ndarray,
    stats: CatalogStats,
    similarities: np.ndarray | None = None,
) -> np.ndarray:
    """Weight-scaled match (0-1.5) of every item to every statement's group
    centre, n x s; 0 for a statement without a group. ``similarities``: the
    items' cosine to each centre present, in statement order, when computed
    already."""
    found = np.zeros((len(vectors), len(statements)))
    columns = [n for n, s in enumerate(statements) if s.centre is not None]
    if columns and len(vectors):
        weights = np.array([statements[n].weight for n in columns])
        centres = np.stack([statements[n].centre for n in columns])
        if similarities is None:
            similarities = _similarities(vectors, centres)
        found[:, columns] = _z_matches(similarities, centres, weights, stats)[0]
    return found


def all_matches(
    likes: Sequence[ProfileStatement],
    avoids: Sequence[ProfileStatement],
    vectors: np.ndarray,
    stats: CatalogStats,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(like match, avoid match, avoid z, like centres' match): the three
    from one pass over the candidates' vectors, which is what costs when
    there are many candidates (the evaluation scores the whole catalog)."""
    rows = [s.vector for s in (*likes, *avoids)]
    rows += [s.centre for s in likes if s.centre is not None]
    if not rows or not len(vectors):
        return (
            statement_matches(likes, vectors, stats)[0],
            *statement_matches(avoids, vectors, stats),
            centre_matches(likes, vectors, stats),
        )
    similarities = _similarities(vectors, np.stack(rows))
    n_likes, n_avoids = len(likes), len(avoids)
    like_match, _ = statement_matches(likes, vectors, stats, similarities[:, :n_likes])
    avoid_match, avoid_z = statement_matches(
        avoids, vectors, stats, similarities[:, n_likes : n_likes + n_avoids]
    )
    content = centre_matches(likes, vectors, stats, similarities[:, n_likes + n_avoids :])
    return like_match, avoid_match, avoid_z, content


def _label_rows(statement: ProfileStatement, candidates: "Candidates") -> np.ndarray | None:
    """Bool per candidate: carries a label the statement acts on, any of them
    ("jazz and blues": Jazz or Blues). None: it acts on none the candidates carry."""
    rows = _each_label_rows(statement, candidates)
    if not rows:
        return None
    return np.logical_or.reduce(rows)


def _each_label_rows(statement: ProfileStatement, candidates: "Candidates") -> list[np.ndarray]:
    """Bool per candidate for each label the statement acts on that some candidate carries."""
    found = []
    for label in statement.labels:
        if label in candidates.categories:
            rows = np.asarray(candidates.categories[label], dtype=bool)
            if rows.any():
                found.append(rows)
    return found


def _apply_labels(
    statements: Sequence[ProfileStatement],
    candidates: "Candidates",
    match: np.ndarray,
    z: np.ndarray | None = None,
) -> None:
    """In place: each item carrying a statement's category is at least a full
    match to it (1.0 x weight); with ``z`` (avoids) and a weight of at least
    LABEL_REMOVE_WEIGHT it also reaches the removal threshold.

    Inside the category the meaning still orders the items: a labelled item
    gets the larger of its own match and 1.0 plus a tenth of it, so weak
    matches do not all tie at 1.0 (why-not ranks and "less of" stay
    meaningful) while strong ones keep their own, larger match.
    """
    for column, statement in enumerate(statements):
        rows = _label_rows(statement, candidates)
        if rows is None:
            continue
        own = match[rows, column]
        match[rows, column] = np.maximum(own, statement.weight + LABEL_TIE_BREAK * own)
        if z is not None and statement.weight >= LABEL_REMOVE_WEIGHT - 1e-9:
            z[rows, column] = np.maximum(z[rows, column], AVOID_REMOVE_Z)
