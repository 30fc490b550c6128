"""The profile as the model: scoring with a rationale that decomposes over the lines.

Plain Python and numpy, no Django: serving (``engine.recommend``) and offline
evaluation call this module with arrays and plain objects.

Each "Likes" line is an interest group of the person's history: the positive
items it was written from (``members``), the centre of their vectors, and its
own words. It scores a candidate three ways, all scaled by its strength:

- collaborative: the trained neighbours of its members, summed with their
  weights (``links``), as a share of the person's whole history;
- content: closeness to the group's centre, which reaches items nobody has
  rated yet;
- words: closeness to the line's text (and, for a line that names a catalog
  category, the category's label).

A line the person typed, with no history behind it, finds its own group:
the candidates its words match best (with a popularity prior), whose trained
neighbours then count as its collaborative part.

    score = sum over lines of line share + free history + popularity - avoids
    line share = strength x ((1 - balance) x collaborative + balance x (words + CONTENT x content))

``balance`` (0-1) is the person's choice between "what I wrote" (1) and "what
I did" (0). History items no line claims ("free" history: rated since the
profile was written, or fitting no line) add their collaborative part on
their own. Because the collaborative part is normalised over the whole
history once, every term is a fixed share of the score: deleting a line
lowers each item by exactly that line's share, and weakening it lowers the
share in proportion (the rationale is faithful by construction).

"Avoids" lines remove what they name (a strong match, or every item of a
category they name) and lower weaker matches; an Avoids line with members
(a group the person said "not this reason" to) also takes its group's pull
away.

Lists are filled by score, except that each line the person wrote is
promised its share of the list (``OWN_SHARE`` of it at full strength): a new
line brings its taste in without throwing away what was already right.
"""

import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

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
# than this place among the items people have rated (unseen_cap).
COLD_SHARE = 1.0
NEW_ITEM_RANK = 10
# A reworded line whose words put its group's centre below this z-score no
# longer stands for the group (see detached).
DETACHED_Z = 1.0
# A typed line's own group: the candidates its words match best, this many,
# each match weighted by popularity (an item nobody has rated still counts
# this share of the most popular one's weight).
SEEDS_PER_LINE = 20
SEED_PRIOR_FLOOR = 0.25
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
    label: str = ""  # the catalog category its words name exactly (category_label), or ""
    # The items the line was written from or about (its evidence): a Likes
    # line's history items are its group, other items seed its own group.
    members: tuple[int, ...] = ()
    centre: np.ndarray | None = None  # L2-normalised mean of the group's item vectors
    own: bool = False  # the person wrote it: promised its share of the list


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


@dataclass(frozen=True)
class CatalogStats:
    """What z-normalising a statement's similarities needs (all active items)."""

    mean: np.ndarray  # mean item vector
    covariance: np.ndarray  # covariance of item vectors, d x d
    max_popularity: int
    # The catalog's categories, as category_label looks them up (category_index).
    categories: Mapping[str, str] = field(default_factory=dict)

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
        variances = np.einsum("ij,jk,ik->i", vectors, self.covariance, vectors)
        return means, np.sqrt(np.maximum(variances, 1e-6))


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
        return {int(item): row for row, item in enumerate(self.sources)}


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


def _z_matches(
    vectors_of: np.ndarray, weights: np.ndarray, items: np.ndarray, stats: CatalogStats
) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.asarray(vectors_of, dtype=np.float64)
    means, deviations = stats.similarity_moments(matrix)
    z = (np.asarray(items, dtype=np.float64) @ matrix.T - means) / deviations
    return weights * np.clip((z - MATCH_START_Z) / MATCH_SPAN_Z, 0.0, MAX_MATCH), z * weights


def statement_matches(
    statements: Sequence[ProfileStatement], vectors: np.ndarray, stats: CatalogStats
) -> tuple[np.ndarray, np.ndarray]:
    """Weight-scaled match (0-1.5) and weight-scaled z-score of every item
    to every statement's words, each n x s.

    Each statement's similarity is turned into a z-score against the whole
    catalog, so a statement about a crowded topic is not favoured over a
    narrow one.
    """
    if not statements or not len(vectors):
        empty = np.zeros((len(vectors), len(statements)))
        return empty, empty
    weights = np.array([s.weight for s in statements])
    return _z_matches(np.stack([s.vector for s in statements]), weights, vectors, stats)


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
    statements: Sequence[ProfileStatement], vectors: np.ndarray, stats: CatalogStats
) -> np.ndarray:
    """Weight-scaled match (0-1.5) of every item to every statement's group
    centre, n x s; 0 for a statement without a group."""
    found = np.zeros((len(vectors), len(statements)))
    columns = [n for n, s in enumerate(statements) if s.centre is not None]
    if columns and len(vectors):
        weights = np.array([statements[n].weight for n in columns])
        centres = np.stack([statements[n].centre for n in columns])
        found[:, columns] = _z_matches(centres, weights, vectors, stats)[0]
    return found


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


def _label_rows(statement: ProfileStatement, candidates: "Candidates") -> np.ndarray | None:
    """Bool per candidate: carries the category the statement names (None: names none)."""
    if not statement.label or statement.label not in candidates.categories:
        return None
    rows = np.asarray(candidates.categories[statement.label], dtype=bool)
    return rows if rows.any() else None


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


def history_strength(kind: str, value: float | None, age_days: float = 0.0) -> float:
    """How strongly an interaction says "more like this": a like or 5 stars 1.0,
    4 stars 0.5, halving every RECENCY_HALF_LIFE_DAYS before the person's
    latest signal. Weighting by stars beats counting every positive alike: on
    ml-latest-small (NDCG@10, 200 neighbours) 0.1421 against 0.1365."""
    stars = 1.0 if kind == "like" else max(0.0, min(1.0, ((value or 0) - 3) / 2))
    return stars * 0.5 ** (max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)


def popularity_prior(popularity: np.ndarray | int, max_popularity: int) -> np.ndarray:
    return np.log1p(popularity) / math.log1p(max(max_popularity, 1))


@dataclass(frozen=True)
class Groups:
    """Whose history items pull each candidate in, split exactly by line.

    ``like`` and ``avoid`` hold each line's collaborative part (n x lines),
    ``free`` the free history's (n). Each is a share of the same scale: the
    largest pull the person's whole history gives any candidate is 1, so no
    part changes when another line is removed.
    """

    like: np.ndarray  # n x likes
    avoid: np.ndarray  # n x avoids
    free: np.ndarray  # n
    # Per like line, per avoid line, and for free history: (links rows, strengths)
    like_rows: list[tuple[np.ndarray, np.ndarray]]
    like_history: list[tuple[int, bool]]  # per like line: (column, its group is history)
    avoid_rows: list[tuple[np.ndarray, np.ndarray]]
    free_rows: tuple[np.ndarray, np.ndarray]
    scale: float  # what a share of 1 is in raw neighbour weight
    history_rows: dict[int, int]  # history item id -> its links row


def _pull(candidates: Candidates, rows: np.ndarray, strengths: np.ndarray) -> np.ndarray:
    """Raw neighbour weight the ``rows`` of ``links`` give each candidate."""
    n = len(candidates.ids)
    if candidates.links is None or not len(rows):
        return np.zeros(n)
    return np.asarray(candidates.links[rows].T @ strengths).ravel()


def _seeds(
    statement: ProfileStatement,
    match: np.ndarray,
    prior: np.ndarray,
    rows: Mapping[int, int],
    candidates: Candidates,
    history: Mapping[int, HistoryItem],
) -> tuple[np.ndarray, np.ndarray]:
    """A typed line's own group: its non-history evidence, and the candidates
    its words match best weighted by popularity (an obscure item with a
    matching blurb does not lead), as links rows with their strengths."""
    chosen: dict[int, float] = {
        rows[item]: 1.0 for item in statement.members if item in rows and item not in history
    }
    found = match * (SEED_PRIOR_FLOOR + (1 - SEED_PRIOR_FLOOR) * prior)
    for row in np.argsort(-found, kind="stable")[:SEEDS_PER_LINE]:
        item = int(candidates.ids[row])
        if found[row] > 0 and item in rows and item not in history:
            chosen.setdefault(rows[item], float(found[row] / max(found.max(initial=0.0), 1e-12)))
    return np.array(list(chosen), dtype=np.int64), np.array(list(chosen.values()))


def history_groups(
    candidates: Candidates,
    likes: Sequence[ProfileStatement],
    avoids: Sequence[ProfileStatement],
    history: Mapping[int, HistoryItem],
    like_match: np.ndarray,
) -> Groups:
    """Each line's collaborative part, and the free history's.

    1. A history item belongs to the first Avoids line, else the first Likes
       line, whose members name it; an unclaimed one counts on its own when
       it is free (see HistoryItem.free).
    2. A group pulls in what its items' trained neighbours are, each
       weighted by the item's strength; the scale is the largest pull of the
       whole history, so every part is a fixed share.
    3. A Likes line with no history behind it (typed) finds its own group
       (``_seeds``), scaled to its own largest pull.
    """
    rows = candidates.source_rows()
    held = {item: rows[item] for item in history if item in rows}
    claimed: set[int] = set()

    def group(statement: ProfileStatement) -> tuple[np.ndarray, np.ndarray]:
        mine = [i for i in statement.members if i in held and i not in claimed]
        claimed.update(mine)
        return (
            np.array([held[i] for i in mine], dtype=np.int64),
            np.array([history[i].strength for i in mine]),
        )

    avoid_rows = [group(s) for s in avoids]
    like_rows = [group(s) for s in likes]
    free = [i for i in held if i not in claimed and history[i].free]
    free_rows = (
        np.array([held[i] for i in free], dtype=np.int64),
        np.array([history[i].strength for i in free]),
    )
    every = np.array(list(held.values()), dtype=np.int64)
    total = _pull(candidates, every, np.array([history[i].strength for i in held]))
    scale = float(total.max(initial=0.0)) if total.max(initial=0.0) > 1e-12 else 1.0
    n = len(candidates.ids)
    like_history = [(column, bool(len(rows_))) for column, (rows_, _) in enumerate(like_rows)]
    like = np.zeros((n, len(likes)))
    prior = popularity_prior(candidates.popularity, int(np.max(candidates.popularity, initial=0)))
    # A typed line is one taste among those the history holds: its own group
    # pulls as hard as an equal share of the whole history would.
    tastes = sum(1 for r, _ in like_rows if len(r)) + (1 if len(free_rows[0]) else 0)
    for column, statement in enumerate(likes):
        if len(like_rows[column][0]):
            like[:, column] = _pull(candidates, *like_rows[column]) / scale
            continue
        seeds = _seeds(statement, like_match[:, column], prior, rows, candidates, history)
        like_rows[column] = seeds
        pulled = _pull(candidates, *seeds)
        # The items it found are its group: each is as much the line's own as
        # the item its group pulls in hardest, in proportion to its strength.
        top = pulled.max(initial=0.0)
        top = top if top > 1e-12 else 1.0
        found = np.isin(candidates.ids, candidates.sources[seeds[0]])
        strength = dict(zip(candidates.sources[seeds[0]].tolist(), seeds[1], strict=True))
        pulled[found] += top * np.array([strength[int(i)] for i in candidates.ids[found]])
        peak = pulled.max(initial=0.0)
        like[:, column] = pulled / (peak * (tastes + 1)) if peak > 0 else 0.0
    avoid = np.zeros((n, len(avoids)))
    for column in range(len(avoids)):
        avoid[:, column] = _pull(candidates, *avoid_rows[column]) / scale
    return Groups(
        like=like,
        avoid=avoid,
        free=_pull(candidates, *free_rows) / scale,
        like_rows=like_rows,
        like_history=like_history,
        avoid_rows=avoid_rows,
        free_rows=free_rows,
        scale=scale,
        history_rows=held,
    )


def unseen_pull(
    groups: Groups, content: np.ndarray, strengths: np.ndarray, popularity: np.ndarray
) -> None:
    """In place: a collaborative part for the items nobody has rated yet.

    The trained neighbours know nothing of them, so each history group's pull
    on such an item is estimated from its content: how close it is to the
    group's centre (a full match, COLD_SHARE of the group's strongest pull).
    Without it a new item could never reach a list but by its words. A typed
    line's own group was found by meaning already.
    """
    unseen = np.asarray(popularity) == 0
    columns = [c for c, (_, held) in enumerate(groups.like_history) if held]
    if not unseen.any() or unseen.all() or not columns:
        return
    seen_top = groups.like[~unseen][:, columns].max(axis=0)
    match = content[np.ix_(unseen, columns)] / np.maximum(strengths[columns], 1e-12)
    estimate = COLD_SHARE * seen_top * np.minimum(match, 1.0)
    current = groups.like[np.ix_(unseen, columns)]
    groups.like[np.ix_(unseen, columns)] = np.maximum(current, estimate)


def unseen_cap(
    groups: Groups,
    terms: dict[str, np.ndarray],
    strengths: np.ndarray,
    popularity: np.ndarray,
    listable: np.ndarray,
    did: float,
) -> bool:
    """In place: no item nobody has rated ranks above the NEW_ITEM_RANK-th known one.

    Its collaborative part is a guess from its content (unseen_pull): the best
    such guess may take a place in a list, never one above what the person's
    history is sure of. Scales every unseen item's guessed part alike, so
    they keep their order. ``listable``: the rows a list could show (not
    removed, not the person's own history). Returns whether anything changed.
    """
    unseen = np.asarray(popularity) == 0
    columns = [c for c, held in groups.like_history if held]
    known = np.sort(sum(terms.values())[~unseen & listable])[::-1]
    if not unseen.any() or not columns or len(known) < NEW_ITEM_RANK:
        return False
    guessed = did * (groups.like[np.ix_(unseen, columns)] @ strengths[columns])
    rest = sum(terms.values())[unseen] - guessed
    target = known[NEW_ITEM_RANK - 1]
    over = guessed > 1e-12
    if not over.any():
        return False
    scale = float(np.clip(((target - rest[over]) / guessed[over]).min(), 0.0, 1.0))
    if scale >= 1.0:
        return False
    groups.like[np.ix_(unseen, columns)] *= scale
    return True


@dataclass(frozen=True)
class ScoreTable:
    """Every candidate's terms as arrays, row-aligned with the candidates.

    Scoring a thousand candidates is a few matrix operations; only the rows
    that can reach a list (or that a why-not asks about) are turned into
    ``Scored`` objects with their matches and sources.
    """

    candidates: Candidates
    likes: list[ProfileStatement]
    avoids: list[ProfileStatement]
    history: Mapping[int, HistoryItem]
    like_match: np.ndarray  # n x likes: words, weight-scaled
    lines: np.ndarray  # n x likes: each line's share of the score
    line_words: np.ndarray  # n x likes: the part of ``lines`` words and centres give
    avoid_match: np.ndarray  # n x avoids, weight-scaled
    # n x avoids, weight x z-score; AVOID_REMOVE_Z at least where a line that
    # removes by label names a category the item carries
    avoid_z: np.ndarray
    groups: Groups
    terms: dict[str, np.ndarray]  # term -> contribution per row
    score: np.ndarray
    removed: np.ndarray  # bool per row
    words: float  # the weight of what the person wrote (balance), 0 when not personalised
    did: float  # the weight of what they did
    # What Avoids lines the writer drew from dislikes take, at balance 1 (the
    # part of ``neg`` that scales with the balance).
    drawn_neg: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __len__(self) -> int:
        return len(self.score)

    def row_of(self, item_id: int) -> int | None:
        rows = np.flatnonzero(self.candidates.ids == item_id)
        return int(rows[0]) if len(rows) else None

    def _sources(
        self, row: int, rows: np.ndarray, strengths: np.ndarray, share: float
    ) -> tuple[HistorySource, ...]:
        """The history items among ``rows`` that pull item ``row`` in most."""
        if share <= 0 or not len(rows) or self.candidates.links is None:
            return ()
        pulls = np.asarray(self.candidates.links[rows, row].todense()).ravel() * strengths
        total = pulls.sum()
        if total <= 0:
            return ()
        found = []
        for index in np.argsort(-pulls, kind="stable")[:CITED_HISTORY]:
            item = int(self.candidates.sources[rows[index]])
            if pulls[index] > 0 and item in self.history:
                found.append(HistorySource(self.history[item], share * pulls[index] / total))
        return tuple(found)

    def scored(self, row: int) -> Scored:
        item_id = int(self.candidates.ids[row])
        contributions = {term: float(values[row]) for term, values in self.terms.items()}
        matches = []
        for column in np.argsort(-self.lines[row], kind="stable"):
            share = float(self.lines[row, column])
            if share <= 1e-12:
                break
            words = float(self.line_words[row, column])
            rows, strengths = self.groups.like_rows[column]
            sources = self._sources(row, rows, strengths, share - words)
            matches.append(Match(self.likes[column], share, words, sources))
        avoided = None
        if self.avoids:
            worst = (
                int(self.avoid_z[row].argmax())
                if self.removed[row]
                else int(self.avoid_match[row].argmax())
            )
            if self.removed[row] or self.avoid_match[row, worst] > 0:
                avoided = Match(self.avoids[worst], contributions["neg"])
        free_share = self.did * float(self.groups.free[row])
        return Scored(
            item_id=item_id,
            score=float(self.score[row]),
            contributions={term: round(value, 4) for term, value in contributions.items()},
            matches=matches,
            avoided=avoided,
            removed=bool(self.removed[row]),
            sources=list(self._sources(row, *self.groups.free_rows, free_share)),
            best_match=float(self.like_match[row].max()) if self.likes else 0.0,
            popularity=int(self.candidates.popularity[row]),
            free_history=free_share,
        )

    def all(self) -> list[Scored]:
        return [self.scored(row) for row in range(len(self))]

    def ahead_of(self, row: int) -> int:
        """How many kept candidates score higher than ``row``."""
        return int(np.count_nonzero(~self.removed & (self.score > self.score[row])))


def score_candidates(
    candidates: Candidates,
    statements: Sequence[ProfileStatement],
    history: Mapping[int, HistoryItem],
    stats: CatalogStats,
    settings: Settings,
    seen: Sequence[int] = (),
) -> ScoreTable:
    """Every candidate's terms and score, in candidate order (nothing removed yet).

    1. Words: each line's match to every candidate (and its category label).
    2. Groups: each line's collaborative part and the free history's
       (history_groups); content: closeness to each group's centre.
    3. Each Likes line's share = strength x ((1 - balance) x collaborative +
       balance x (words + CONTENT_WEIGHT x content)); the score is their sum,
       plus free history, popularity, minus what Avoids lines take.
    ``seen``: items the person has seen beyond their positives (never listed),
    when the candidates hold any.
    """
    likes = [s for s in statements if s.polarity == LIKE and s.weight > 0]
    avoids = [s for s in statements if s.polarity == AVOID and s.weight > 0]
    like_match, _ = statement_matches(likes, candidates.vectors, stats)
    avoid_match, avoid_z = statement_matches(avoids, candidates.vectors, stats)
    if candidates.categories:
        _apply_labels(likes, candidates, like_match)
        _apply_labels(avoids, candidates, avoid_match, avoid_z)
    words, did = (settings.balance, 1.0 - settings.balance)
    if not settings.personalised:
        words = did = 0.0
    groups = history_groups(candidates, likes, avoids, history, like_match)
    own = np.array([s.own for s in avoids], dtype=bool)
    # An Avoids line the person wrote lowers what it matches in full; one the
    # writer drew from their dislikes by the weight of what they wrote.
    drawn = -NEG_WEIGHT * avoid_match[:, ~own].max(axis=1, initial=0.0)
    strengths = np.array([s.weight for s in likes])
    content = centre_matches(likes, candidates.vectors, stats)
    unseen_pull(groups, content, strengths, candidates.popularity)
    # A typed line's own group was found by its words: towards balance 0
    # ("what I did" alone) it fades out, fully in from TYPED_FULL_BALANCE.
    typed = [column for column, held in groups.like_history if not held]
    groups.like[:, typed] *= min(1.0, words / TYPED_FULL_BALANCE)
    text = words * (like_match + CONTENT_WEIGHT * content)
    avoid_pull = groups.avoid @ np.array([s.weight for s in avoids]) if avoids else 0.0
    n = len(candidates.ids)
    # Only lines the person wrote remove items.
    removed = (
        (avoid_z[:, own] >= AVOID_REMOVE_Z).any(axis=1)
        if own.any() and n
        else (np.zeros(n, dtype=bool))
    )

    def terms_of(like: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "pos": text.sum(axis=1),
            "cf": did * (like @ strengths - avoid_pull),
            "history": did * groups.free,
            "pop": POP_WEIGHT * popularity_prior(candidates.popularity, stats.max_popularity),
            "neg": -NEG_WEIGHT * avoid_match[:, own].max(axis=1, initial=0.0) + words * drawn,
        }

    terms = terms_of(groups.like)
    # What a list could show: not removed, nothing the person has seen.
    seen_ids = np.concatenate([np.fromiter(history, dtype=np.int64), np.asarray(seen, np.int64)])
    listable = ~removed & ~np.isin(candidates.ids, seen_ids)
    if unseen_cap(groups, terms, strengths, candidates.popularity, listable, did):
        terms = terms_of(groups.like)
    lines = did * groups.like * strengths + text
    return ScoreTable(
        candidates=candidates,
        likes=likes,
        avoids=avoids,
        history=history,
        like_match=like_match,
        lines=lines,
        line_words=text,
        avoid_match=avoid_match,
        avoid_z=avoid_z,
        groups=groups,
        terms=terms,
        score=sum(terms.values()),
        removed=removed,
        words=words,
        did=did,
        drawn_neg=drawn,
    )


def _own_items(table: ScoreTable, column: int) -> np.ndarray:
    """Bool per row: an item a written line is about. A line that names a
    category is about the category's items; another line about what its words
    match (at least OWN_MATCH of a full match)."""
    statement = table.likes[column]
    labelled = _label_rows(statement, table.candidates)
    if labelled is not None:
        return labelled
    return table.like_match[:, column] >= OWN_MATCH * statement.weight


def _promised(table: ScoreTable, chosen: list[int], kept: np.ndarray, k: int) -> list[int]:
    """``chosen`` rows with each line the person wrote given its share of the list.

    A line's own items are those it is about (``_own_items``). A line with
    fewer of them in the list than OWN_SHARE x
    strength x k brings in its best remaining ones (by its share of their
    score), in place of the lowest-scored items that are no written line's
    own; each takes the place its own score gives it in the list.
    """
    own = [column for column, s in enumerate(table.likes) if s.own]
    if not own or not len(table.lines):
        return chosen
    matching = {column: _own_items(table, column) for column in own}
    promised: list[int] = []
    for column in own:
        quota = max(1, round(k * OWN_SHARE * table.likes[column].weight))
        have = sum(1 for row in [*chosen, *promised] if matching[column][row])
        if have >= quota:
            continue
        taken = {*chosen, *promised}
        candidates = kept[matching[column][kept]]
        order = candidates[np.argsort(-table.lines[candidates, column], kind="stable")]
        promised += [int(row) for row in order if int(row) not in taken][: quota - have]
    if not promised:
        return chosen
    held = {row for row in chosen if any(matching[column][row] for column in own)}
    spare = sorted((row for row in chosen if row not in held), key=lambda row: table.score[row])
    dropped = set(spare[: max(0, len(chosen) + len(promised) - k)])
    result = [row for row in chosen if row not in dropped]
    for row in sorted(promised, key=lambda row: -table.score[row]):
        place = next(
            (n for n, other in enumerate(result) if table.score[other] < table.score[row]),
            len(result),
        )
        result.insert(place, row)
    return result[:k]


def diversify(
    scored: Sequence[Scored], vectors: Mapping[int, np.ndarray], *, k: int, diversity: float
) -> list[Scored]:
    """Pick ``k`` items by maximal marginal relevance.

    1. Take the best 3k items (at least 30) and express each score as a
       share of the best one (relevance 0-1; comparable to cosine similarity).
    2. Repeatedly take the item with the highest
       (1 - diversity) * relevance - diversity * (similarity to the closest
       item already taken). diversity=0 is the plain ranking.
    """
    ranked = sorted(scored, key=lambda s: -s.score)
    if diversity <= 0 or len(ranked) <= 1 or ranked[0].score <= 0:
        return ranked[:k]
    pool = ranked[: max(3 * k, 30)]
    relevance = np.array([s.score for s in pool]) / pool[0].score
    matrix = np.stack([vectors[s.item_id] for s in pool]).astype(np.float32)
    closest = np.full(len(pool), -np.inf)
    taken: list[int] = []
    available = np.ones(len(pool), dtype=bool)
    while len(taken) < min(k, len(pool)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        value = (1 - diversity) * relevance - diversity * penalty
        value[~available] = -np.inf
        pick = int(value.argmax())
        taken.append(pick)
        available[pick] = False
        closest = np.maximum(closest, matrix @ matrix[pick])
    return [pool[i] for i in taken]


# Generated lines may end with their examples: "Cozy mysteries (e.g. A, B, C)".
# The rationale quotes the description; the examples are the person's own
# items, which the rationale names when they pulled the item in.
_EXAMPLES = re.compile(r"\s*\(e\.g\. [^()]*\)$")


@dataclass(frozen=True)
class ReasonPart:
    """A piece of a rationale: plain words, or a quoted profile line."""

    text: str
    line: int | None = None  # a quote: the position (key) of the line it quotes

    @property
    def quote(self) -> bool:
        return self.line is not None


def _quote(statement: ProfileStatement) -> ReasonPart:
    return ReasonPart(f"“{_EXAMPLES.sub('', statement.text) or statement.text}”", statement.key)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _titles(sources: Sequence[HistorySource]) -> str:
    return " and ".join(s.item.title for s in sources)


def _history_phrase(sources: Sequence[HistorySource]) -> str:
    named = [f"{s.item.title}, which {s.item.action}" for s in sources]
    return "similar to " + " and to ".join(named) if named else "close to what you rated highly"


def _part(scored: Scored, kind: str, what) -> list[ReasonPart]:
    """What one named part says, as parts."""
    if kind == "line":
        said = [ReasonPart("matches "), _quote(what.statement)]
        if what.sources:
            said.append(ReasonPart(f" (like {_titles(what.sources)})"))
        return said
    if kind == "history":
        return [ReasonPart(_history_phrase(scored.sources))]
    if kind == "pop":
        return [ReasonPart(f"popular with {_people(scored.popularity)}")]
    return [ReasonPart("ranked lower as it is close to "), _quote(what.statement)]


def rationale(scored: Scored, *, personalised: bool = True) -> str:
    """One sentence naming only the parts that contributed, largest first."""
    return "".join(part.text for part in reason_parts(scored, personalised=personalised))


def reason_parts(scored: Scored, *, personalised: bool = True) -> tuple[ReasonPart, ...]:
    """The rationale sentence as parts: each quoted profile line is a part of its
    own that knows the line it quotes, so a page can link it without reading
    the sentence again."""
    if not personalised:
        return (
            ReasonPart(
                f"Popular: {_people(scored.popularity)} rated or liked it "
                "(personalisation is off, so your profile and history are not used)."
            ),
        )
    named = scored.named()
    if [kind for kind, _, _ in named] == ["pop"]:
        return (
            ReasonPart(
                f"Popular with {_people(scored.popularity)}; nothing in your profile or "
                "history points to anything more specific yet."
            ),
        )
    if not named:  # every part is zero: no signal at all, and nobody rated it
        return (
            ReasonPart(
                "Nothing in your profile or history points to anything yet; nobody has rated it."
            ),
        )
    sentence: list[ReasonPart] = []
    for number, (kind, what, _) in enumerate(named):
        sentence += ([ReasonPart("; ")] if number else []) + _part(scored, kind, what)
    first = sentence[0]
    sentence[0] = replace(first, text=first.text[0].upper() + first.text[1:])
    return (*sentence, ReasonPart("."))


def rank(
    table: ScoreTable,
    *,
    k: int,
    settings: Settings,
    exclude_ids: Sequence[int] = (),
) -> list[Recommendation]:
    """Drop removed (and excluded) items, diversify, give each line the person
    wrote its share (``_promised``), and attach each item's rationale."""
    kept = ~table.removed
    if len(exclude_ids):
        kept &= ~np.isin(table.candidates.ids, np.asarray(exclude_ids, dtype=np.int64))
    rows = np.flatnonzero(kept)
    pool = rows[np.argsort(-table.score[rows], kind="stable")][: max(3 * k, 30)]
    vectors = {int(table.candidates.ids[row]): table.candidates.vectors[row] for row in pool}
    row_of = {int(table.candidates.ids[row]): int(row) for row in pool}
    picked = diversify(
        [table.scored(int(row)) for row in pool], vectors, k=k, diversity=settings.diversity
    )
    chosen = [row_of[s.item_id] for s in picked]
    # At balance 0 the person asked for what they did alone: nothing promised.
    if settings.personalised and settings.balance > 0:
        chosen = _promised(table, chosen, rows, k)
    return [
        Recommendation(s, position, reason_parts(s, personalised=settings.personalised))
        for position, s in enumerate((table.scored(row) for row in chosen), 1)
    ]


@dataclass(frozen=True)
class Absence:
    """Why one item is not in the list: a code and a sentence."""

    reason: str  # seen, avoided, category, listed, ranked, low_match, unavailable
    message: str
    rank: int | None = None  # where it would rank among the candidates
    scored: Scored | None = None


def explain_absence(
    table: ScoreTable,
    row: int,
    listed: Sequence[Recommendation],
    *,
    settings: Settings,
) -> Absence:
    """Why the item in ``row`` is not among ``listed``, from the terms that ranked the list."""
    target = table.scored(row)
    for recommendation in listed:
        if recommendation.scored.item_id == target.item_id:
            return Absence(
                "listed",
                f"It is in your list, at number {recommendation.rank}.",
                recommendation.rank,
                target,
            )
    if target.removed and target.avoided:
        return Absence(
            "avoided",
            f"It is filtered out by your line {_quote(target.avoided.statement).text}.",
            None,
            target,
        )
    position = table.ahead_of(row) + 1
    if settings.personalised and target.best_match < LOW_MATCH and target.contributions["cf"] <= 0:
        return Absence(
            "low_match",
            f"It matches none of your statements closely and nothing you rated points to it; "
            f"it ranks about number {position}, below the {len(listed)} shown.",
            position,
            target,
        )
    terms = ", ".join(f"{term} {target.contributions[term]:+.2f}" for term in TERMS)
    lead = "" if settings.personalised else "Personalisation is off, so only popularity counts: "
    return Absence(
        "ranked",
        f"{lead}It ranks about number {position}, below the {len(listed)} shown ({terms}).",
        position,
        target,
    )
