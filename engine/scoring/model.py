"""The scoring core's data and constants: lines, history, candidates, scored items.

The constants carry the measurements behind them; the other modules of
``engine.scoring`` read them from here.
"""

import math
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # for the annotation only: rationale imports this module
    from engine.scoring.rationale import ReasonPart


LIKE = "like"
AVOID = "avoid"

# A similarity this many standard deviations above the catalog's mean is
# where a match starts; MATCH_SPAN_Z deviations further it counts fully (1.0).
MATCH_START_Z = 1.0
MATCH_SPAN_Z = 3.0
MAX_MATCH = 1.5
POP_WEIGHT = 0.1
NEG_WEIGHT = 1.0
# What closeness to a group's centre weighs beside the line's words.
CONTENT_WEIGHT = 0.5
# An item this close (statement weight x z-score) to an "Avoids" statement is
# removed. Measured with all-MiniLM-L6-v2 on the sample catalog (10 categories
# of 15 books): "horror" puts every Horror book at z 1.59-2.98 and every
# other book below 1.39; "romance" 1.30-3.42 against at most 1.20. A weaker
# line ("a bit", weight 0.4) needs z 3.75: it mostly penalises, rarely removes.
AVOID_REMOVE_Z = 1.5
# An "Avoids" line naming a category removes every item carrying it from this
# weight on: the weight at which its words alone would remove a typical
# strong match. Strong matches in the measurements above sit at z 1.6-3.4,
# about 2.5 in the middle, so 1.5 / 2.5 = 0.6: "somewhat" (0.6) and stronger
# remove the whole category, while "a little" (0.4) and "less" (0.5) leave it
# in with a full-match penalty, as their words would mostly do.
TYPICAL_STRONG_Z = 2.5
LABEL_REMOVE_WEIGHT = AVOID_REMOVE_Z / TYPICAL_STRONG_Z
# Share of its own meaning match an item carrying a line's category adds to
# the full match it gets from the label (see _apply_labels).
LABEL_TIE_BREAK = 0.1
# An item nobody has rated gets this share of a group's strongest pull when
# it fully matches the group's centre (see unseen_pull), but ranks no higher
# than this place among the items people have rated, and after it takes at
# most one place in NEW_ITEM_EVERY (unseen_cap).
COLD_SHARE = 1.0
NEW_ITEM_RANK = 10
NEW_ITEM_EVERY = 2
# A reworded line whose words put its group's centre below this z-score no
# longer stands for the group (see detached).
DETACHED_Z = 1.0
# A typed line's own group: the candidates its words match best, this many,
# each match weighted by popularity (an item nobody has rated still counts
# this share of the most popular one's weight).
SEEDS_PER_LINE = 20
SEED_PRIOR_FLOOR = 0.25
# For a person with no history, what a typed line's own group pulls in is
# weighted by each item's popularity (its share of the most popular item's)
# to this power: a line names a taste, not a person, and among the
# neighbours of what it names people take the well-known first. Newcomers
# typing their two categories (cold_user at 0, every person, NDCG@10 as a
# share of popular's): Amazon instruments 1.18x unweighted, 1.19x at 0.2,
# 1.21x at 0.3, 1.17x at 0.5; ml-latest-small 0.90x, 0.94x at 0.3, 0.96x
# at 0.5 (docs/EVALUATION.md).
TYPED_POPULARITY = 0.3
# From this balance up a typed line's own group pulls in full; below it fades
# to nothing at 0, where the person asked for what they did alone. The
# default balance (profiles.models.DEFAULT_BALANCE) is this.
TYPED_FULL_BALANCE = 0.05
# The share of a list a line the person wrote is promised at full strength:
# 3 of 10. A line at 0.6 is promised 2, at 0.2 one.
OWN_SHARE = 0.3
# A line's promised items are first those its words match at least this much
# (half a full match): "Likes: westerns" brings westerns, then what they pull in.
OWN_MATCH = 0.5
# Below this words match an item is "a low match to every statement".
LOW_MATCH = 0.1
# A part is named in the rationale when it adds at least this share of the
# largest part (the largest is always named).
MENTION_SHARE = 0.35
CITED_STATEMENTS = 2
CITED_HISTORY = 2

TERMS = ("pos", "cf", "history", "pop", "neg")
# A positive a year older than the person's latest signal counts half: on
# ml-latest-small (every positive, 200 neighbours) NDCG@10 0.1421 without it,
# 0.1432 at 365 days, 0.1434 at 1,000 days.
RECENCY_HALF_LIFE_DAYS = 365.0


@dataclass(frozen=True)
class ProfileStatement:
    key: int  # the statement's position in the profile
    text: str
    polarity: str
    weight: float  # 0-1
    vector: np.ndarray  # L2-normalised embedding of its embedded text
    label: str = ""  # the first label it acts on (a category, or "tag:" and a tag), or ""
    # The items the line was written from or about (its evidence): a Likes
    # line's history items are its group, other items seed its own group.
    members: tuple[int, ...] = ()
    centre: np.ndarray | None = None  # L2-normalised mean of the group's item vectors
    own: bool = False  # the person wrote it: promised its share of the list
    # Every label it acts on, ``label`` first: "jazz and blues" acts on both,
    # each of their items a full match (engine.concepts.acting_labels). Given
    # one of the two, the other follows.
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        labels = tuple(dict.fromkeys(n for n in (self.label, *self.labels) if n))
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "label", labels[0] if labels else "")


@dataclass(frozen=True)
class HistoryItem:
    """A positive item from the person's history, as the rationale names it."""

    item_id: int
    title: str
    action: str  # "you rated 5", "you liked"
    strength: float  # 0-1: how strongly it says "more like this"
    # Counts on its own when no line claims it: rated since the profile was
    # written, or fitting no line. False for the members of a line the person
    # deleted: the taste went with the line.
    free: bool = True


# Vectors whose variance term CatalogStats remembers (a few MB at most); a
# larger batch (the evaluation's) is computed without.
MOMENTS_REMEMBERED = 4096


@dataclass(frozen=True)
class CatalogStats:
    """What z-normalising a statement's similarities needs (all active items)."""

    mean: np.ndarray  # mean item vector
    covariance: np.ndarray  # covariance of item vectors, d x d
    max_popularity: int
    # The catalog's categories, as category_label looks them up (category_index).
    categories: Mapping[str, str] = field(default_factory=dict)
    # Each vector's variance term (similarity_moments) by its bytes: a
    # person's lines are the same vectors on every request.
    _variances: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def from_vectors(
        cls, vectors: np.ndarray, popularity: np.ndarray, categories: Iterable[str] = ()
    ) -> "CatalogStats":
        vectors = np.asarray(vectors, dtype=np.float64)
        index = category_index(categories)
        if len(vectors) < 2:
            dims = vectors.shape[1] if vectors.ndim == 2 else 0
            return cls(np.zeros(dims), np.eye(dims), int(popularity.max(initial=0)), index)
        return cls(
            mean=vectors.mean(axis=0),
            covariance=np.cov(vectors, rowvar=False),
            max_popularity=int(popularity.max(initial=0)),
            categories=index,
        )

    def similarity_moments(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation, over the catalog, of each vector's similarities.

        Exact without touching the items: for unit statement vector s and item
        vectors x, mean(s.x) = s.mean(x) and var(s.x) = s' cov(x) s.
        """
        vectors = np.asarray(vectors, dtype=np.float64)
        means = vectors @ self.mean
        return means, np.sqrt(np.maximum(self._variances_of(vectors), 1e-6))

    def _variances_of(self, vectors: np.ndarray) -> np.ndarray:
        """s' cov s for each row, remembered per row (each row's sum is the
        same computed alone or with others, so remembering changes nothing)."""
        if vectors.ndim != 2 or len(vectors) > MOMENTS_REMEMBERED:
            return np.einsum("ij,jk,ik->i", vectors, self.covariance, vectors)
        keys = [row.tobytes() for row in vectors]
        found = [self._variances.get(key) for key in keys]
        missing = [n for n, value in enumerate(found) if value is None]
        if missing:
            rows = vectors[missing]
            computed = np.einsum("ij,jk,ik->i", rows, self.covariance, rows)
            if len(self._variances) > MOMENTS_REMEMBERED:
                self._variances.clear()
            for n, value in zip(missing, computed, strict=True):
                found[n] = self._variances[keys[n]] = value
        return np.array(found, dtype=np.float64)


@dataclass(frozen=True)
class Candidates:
    """The items to score, row-aligned arrays."""

    ids: np.ndarray  # int64 item ids
    vectors: np.ndarray  # L2-normalised, n x d
    popularity: np.ndarray  # people who rated or liked each item
    # The trained neighbour weights from each item that can pull candidates in
    # (the person's positives, the items a typed line's words find) to each
    # candidate: one row per such item, named by ``sources``; None: no model.
    links: sparse.csr_matrix | None = None
    sources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # category -> bool per row: which candidates carry it. Only the categories
    # that statements name (their ``label``) are read; a missing one is carried
    # by no candidate.
    categories: Mapping[str, np.ndarray] = field(default_factory=dict)

    def source_rows(self) -> dict[int, int]:
        """Item id -> its row in ``links``."""
        return self._source_rows

    @cached_property
    def _source_rows(self) -> dict[int, int]:
        return {int(item): row for row, item in enumerate(self.sources)}

    def pulls_on(self, row: int, rows: np.ndarray) -> np.ndarray:
        """The trained weights from the sources at ``rows`` to candidate ``row``."""
        by_candidate = self._links_by_candidate
        start, end = by_candidate.indptr[row], by_candidate.indptr[row + 1]
        column = np.zeros(by_candidate.shape[0])
        column[by_candidate.indices[start:end]] = by_candidate.data[start:end]
        return column[rows]

    @cached_property
    def _links_by_candidate(self) -> sparse.csc_matrix:
        # Column slices of CSC are cheap; a rationale reads one per line.
        return self.links.tocsc()


@dataclass(frozen=True)
class Settings:
    balance: float = 0.5  # 1: only what I wrote; 0: only what I did
    diversity: float = 0.3  # MMR strength, 0 (off) to 1
    personalised: bool = True


@dataclass(frozen=True)
class HistorySource:
    item: HistoryItem
    contribution: float


@dataclass(frozen=True)
class Match:
    """A line's share of one item's score, and the history items of its group behind it."""

    statement: ProfileStatement
    contribution: float  # to the final score
    words: float = 0.0  # the part of ``contribution`` its words and centre give
    sources: tuple[HistorySource, ...] = ()  # its group's items that pulled the item in


@dataclass(frozen=True)
class Scored:
    """One item's terms and what produced them."""

    item_id: int
    score: float
    contributions: dict[str, float]  # term -> its share of ``score``
    matches: list[Match]  # like lines with a share, largest first
    avoided: Match | None  # the avoid statement that penalised (or removed) it
    removed: bool  # too close to an avoid statement
    sources: list[HistorySource]  # free history items behind ``cf``, largest first
    best_match: float  # the best single like-statement words match, 0-1.5
    popularity: int
    free_history: float = 0.0  # the share of the score free history gives

    def parts(self) -> list[tuple[str, object, float]]:
        """What the rationale can name, largest first: ("line", Match, share),
        ("history", None, share), ("pop", None, share), ("neg", Match, share)."""
        found: list[tuple[str, object, float]] = [
            ("line", m, m.contribution) for m in self.matches if m.contribution > 0
        ]
        if self.free_history > 0:
            found.append(("history", None, self.free_history))
        if self.contributions.get("pop", 0) > 0:
            found.append(("pop", None, self.contributions["pop"]))
        if self.avoided and self.contributions.get("neg", 0) < 0:
            found.append(("neg", self.avoided, -self.contributions["neg"]))
        return sorted(found, key=lambda part: -part[2])

    def named(self) -> list[tuple[str, object, float]]:
        """The parts the rationale names: at least MENTION_SHARE of the largest,
        and at most CITED_STATEMENTS lines."""
        found = self.parts()
        if not found:
            return []
        largest = found[0][2]
        named, lines = [], 0
        for kind, what, size in found:
            if size < MENTION_SHARE * largest:
                break
            if kind == "line":
                lines += 1
                if lines > CITED_STATEMENTS:
                    continue
            named.append((kind, what, size))
        return named

    def cited_lines(self) -> list[int]:
        """Keys of the lines the rationale quotes as reasons to like the item."""
        return [what.statement.key for kind, what, _ in self.named() if kind == "line"]


@dataclass(frozen=True)
class Recommendation:
    scored: Scored
    rank: int  # 1-based
    reason: tuple["ReasonPart", ...]  # the rationale, quoted lines apart

    @property
    def rationale(self) -> str:
        """The rationale as one sentence."""
        return "".join(part.text for part in self.reason)


# Stripped from both ends of a statement and of a category name before they
# are compared: "Horror." and " horror " name the category "Horror".
_EDGES = string.punctuation + string.whitespace


def _category_key(text: str) -> str:
    """Casefolded, trimmed, single-spaced, and singular: a trailing "ies" read
    as "y" ("comedies", "mysteries"), else one trailing "s" dropped."""
    key = " ".join(text.strip(_EDGES).casefold().split())
    if len(key) > 3 and key.endswith("ies"):
        return key[:-3] + "y"
    return key[:-1] if len(key) > 1 and key.endswith("s") else key


def category_index(names: Iterable[str]) -> dict[str, str]:
    """The lookup ``category_label`` needs: comparison key -> category name.

    Two names with the same key ("Western", "westerns") keep the first in
    sorted order, so the choice does not depend on the order they come in.
    """
    index: dict[str, str] = {}
    for name in sorted(set(names)):
        key = _category_key(name)
        if key:
            index.setdefault(key, name)
    return index


def category_label(text: str, index: Mapping[str, str]) -> str:
    """The category that ``text`` names, or "" when it names none.

    The whole text must be the name (case, surrounding punctuation and a
    plural aside): "Horror", "westerns" and "comedies" name categories, "horror
    films set in space" does not, even though it contains one. Exact on
    purpose: a label match removes or brings in a whole category, so it must
    be what the person typed, not a guess.
    """
    return index.get(_category_key(text), "") if index else ""


def history_strength(kind: str, value: float | None, age_days: float = 0.0) -> float:
    """How strongly an interaction says "more like this": a like or 5 stars 1.0,
    4 stars 0.5, halving every RECENCY_HALF_LIFE_DAYS before the person's
    latest signal. Weighting by stars beats counting every positive alike: on
    ml-latest-small (NDCG@10, 200 neighbours) 0.1421 against 0.1365."""
    stars = 1.0 if kind == "like" else max(0.0, min(1.0, ((value or 0) - 3) / 2))
    return stars * 0.5 ** (max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)


def popularity_prior(popularity: np.ndarray | int, max_popularity: int) -> np.ndarray:
    return np.log1p(popularity) / math.log1p(max(max_popularity, 1))
