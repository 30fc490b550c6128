"""Hybrid scoring with a faithful rationale: plain Python and numpy, no Django.

Serving (``engine.recommend``) and offline evaluation both call this module
with arrays and plain objects. For each candidate item four terms are
computed:

- ``pos``: how well the item matches the person's "Likes" statements. Each
  statement's cosine similarity is turned into a z-score against the whole
  catalog (a statement about a crowded topic is not favoured over a narrow
  one), mapped to a 0-1.5 match and scaled by the statement's weight. The
  best match counts fully and each further one by a decaying share, so every
  statement that matches adds something: removing a cited statement always
  lowers the item's score (the rationale is faithful by construction).
- ``cf``: what the person's history says: the item's collaborative score
  from the trained neighbours of their recent positive items, 0-1.
- ``pop``: log-popularity, 0-1, a small prior that ranks items when nothing
  else knows anything.
- ``neg``: the strongest match to an "Avoids" statement. Above a threshold
  the item is removed; below it the match is a penalty.

A statement whose words name a catalog category exactly ("Avoids: Horror",
"Likes: Westerns") acts on the label as well as on the meaning: every item
carrying the category is at least a full match to it (see ``category_label``
and ``LABEL_REMOVE_WEIGHT``). Embeddings alone leave items whose text does not
read like their category.

score = balance * pos + (1 - balance) * cf + POP_WEIGHT * pop - NEG_WEIGHT * neg,
where ``balance`` (0-1) is the person's choice between "what I wrote" (1) and
"what I did" (0).
"""

import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

LIKE = "like"
AVOID = "avoid"

# A similarity this many standard deviations above the catalog's mean is
# where a match starts; MATCH_SPAN_Z deviations further it counts fully (1.0).
MATCH_START_Z = 1.0
MATCH_SPAN_Z = 3.0
MAX_MATCH = 1.5
# Share with which the second, third... matching statement adds to ``pos``.
FURTHER_MATCH_SHARE = 0.35
POP_WEIGHT = 0.1
NEG_WEIGHT = 1.0
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
# Below this ``pos`` match an item is "a low match to every statement".
LOW_MATCH = 0.1
# A term is named in the rationale when it adds at least this share of the
# largest term's contribution (the largest is always named).
MENTION_SHARE = 0.35
CITED_STATEMENTS = 2
CITED_HISTORY = 2

TERMS = ("pos", "cf", "pop", "neg")


@dataclass(frozen=True)
class ProfileStatement:
    key: int  # the statement's position in the profile
    text: str
    polarity: str
    weight: float  # 0-1
    vector: np.ndarray  # L2-normalised embedding of its embedded text
    label: str = ""  # the catalog category its words name exactly (category_label), or ""


@dataclass(frozen=True)
class HistoryItem:
    """A positive item from the person's history, as the rationale names it."""

    item_id: int
    title: str
    action: str  # "you rated 5", "you liked"
    strength: float  # 0-1: how strongly it says "more like this"


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
    cf: np.ndarray  # collaborative score 0-1 (see collaborative_scores)
    # item id -> [(history item id, share of its cf score)], largest first
    cf_sources: Mapping[int, list[tuple[int, float]]] = field(default_factory=dict)
    # category -> bool per row: which candidates carry it. Only the categories
    # that statements name (their ``label``) are read; a missing one is carried
    # by no candidate.
    categories: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    balance: float = 0.5  # 1: only what I wrote; 0: only what I did
    diversity: float = 0.3  # MMR strength, 0 (off) to 1
    personalised: bool = True


@dataclass(frozen=True)
class Match:
    statement: ProfileStatement
    contribution: float  # to the final score


@dataclass(frozen=True)
class HistorySource:
    item: HistoryItem
    contribution: float


@dataclass(frozen=True)
class Scored:
    """One item's terms and what produced them."""

    item_id: int
    score: float
    contributions: dict[str, float]  # term -> its share of ``score``
    matches: list[Match]  # like statements, largest contribution first
    avoided: Match | None  # the avoid statement that penalised (or removed) it
    removed: bool  # too close to an avoid statement
    sources: list[HistorySource]  # history items behind ``cf``, largest first
    best_match: float  # the best single like-statement match, 0-1.5
    popularity: int

    def named_terms(self) -> list[str]:
        """Terms the rationale names: those that contributed, largest first."""
        sizes = {term: abs(value) for term, value in self.contributions.items() if value}
        if not sizes:
            return []
        largest = max(sizes.values())
        return sorted(
            (term for term, size in sizes.items() if size >= MENTION_SHARE * largest),
            key=lambda term: -sizes[term],
        )


@dataclass(frozen=True)
class Recommendation:
    scored: Scored
    rank: int  # 1-based
    reason: tuple["ReasonPart", ...]  # the rationale, quoted lines apart

    @property
    def rationale(self) -> str:
        """The rationale as one sentence."""
        return "".join(part.text for part in self.reason)


def statement_matches(
    statements: Sequence[ProfileStatement], vectors: np.ndarray, stats: CatalogStats
) -> tuple[np.ndarray, np.ndarray]:
    """Weight-scaled match (0-1.5) and weight-scaled z-score of every item
    to every statement, each n x s."""
    if not statements or not len(vectors):
        empty = np.zeros((len(vectors), len(statements)))
        return empty, empty
    matrix = np.stack([s.vector for s in statements]).astype(np.float64)
    means, deviations = stats.similarity_moments(matrix)
    z = (np.asarray(vectors, dtype=np.float64) @ matrix.T - means) / deviations
    weights = np.array([s.weight for s in statements])
    return weights * np.clip((z - MATCH_START_Z) / MATCH_SPAN_Z, 0.0, MAX_MATCH), z * weights


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


def _combined_matches(matches: np.ndarray) -> np.ndarray:
    """Per row: the best match in full, each further one by a decaying share."""
    if not matches.shape[1]:
        return np.zeros(len(matches))
    ordered = -np.sort(-matches, axis=1)
    return ordered @ (FURTHER_MATCH_SHARE ** np.arange(matches.shape[1]))


def popularity_prior(popularity: np.ndarray | int, max_popularity: int) -> np.ndarray:
    return np.log1p(popularity) / math.log1p(max(max_popularity, 1))


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
    like_match: np.ndarray  # n x likes, weight-scaled
    avoid_match: np.ndarray  # n x avoids, weight-scaled
    # n x avoids, weight x z-score; AVOID_REMOVE_Z at least where a line that
    # removes by label names a category the item carries
    avoid_z: np.ndarray
    terms: dict[str, np.ndarray]  # term -> contribution per row
    score: np.ndarray
    removed: np.ndarray  # bool per row
    words: float  # the weight of what the person wrote (balance), 0 when not personalised
    did: float  # the weight of what they did

    def __len__(self) -> int:
        return len(self.score)

    def row_of(self, item_id: int) -> int | None:
        rows = np.flatnonzero(self.candidates.ids == item_id)
        return int(rows[0]) if len(rows) else None

    def scored(self, row: int) -> Scored:
        item_id = int(self.candidates.ids[row])
        contributions = {term: float(values[row]) for term, values in self.terms.items()}
        matches = []
        if self.likes and self.words > 0:
            order = np.argsort(-self.like_match[row], kind="stable")[:CITED_STATEMENTS]
            matches = [
                Match(self.likes[i], self.words * float(self.like_match[row, i]))
                for i in order
                if self.like_match[row, i] > 0
            ]
        avoided = None
        if self.avoids:
            worst = (
                int(self.avoid_z[row].argmax())
                if self.removed[row]
                else int(self.avoid_match[row].argmax())
            )
            if self.removed[row] or self.avoid_match[row, worst] > 0:
                avoided = Match(self.avoids[worst], contributions["neg"])
        cf = float(self.candidates.cf[row])
        sources = [
            HistorySource(self.history[source], self.did * cf * share)
            for source, share in self.candidates.cf_sources.get(item_id, [])[:CITED_HISTORY]
            if source in self.history and self.did > 0 and cf > 0
        ]
        return Scored(
            item_id=item_id,
            score=float(self.score[row]),
            contributions={term: round(value, 4) for term, value in contributions.items()},
            matches=matches,
            avoided=avoided,
            removed=bool(self.removed[row]),
            sources=sources,
            best_match=float(self.like_match[row].max()) if self.likes else 0.0,
            popularity=int(self.candidates.popularity[row]),
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
) -> ScoreTable:
    """Every candidate's terms and score, in candidate order (nothing removed yet)."""
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
    n = len(candidates.ids)
    terms = {
        "pos": words * _combined_matches(like_match),
        "cf": did * np.asarray(candidates.cf, dtype=np.float64),
        "pop": POP_WEIGHT * popularity_prior(candidates.popularity, stats.max_popularity),
        "neg": -NEG_WEIGHT * (avoid_match.max(axis=1) if avoids else np.zeros(n)),
    }
    removed = avoid_z.max(axis=1) >= AVOID_REMOVE_Z if avoids and n else np.zeros(n, dtype=bool)
    return ScoreTable(
        candidates=candidates,
        likes=likes,
        avoids=avoids,
        history=history,
        like_match=like_match,
        avoid_match=avoid_match,
        avoid_z=avoid_z,
        terms=terms,
        score=terms["pos"] + terms["cf"] + terms["pop"] + terms["neg"],
        removed=removed,
        words=words,
        did=did,
    )


def collaborative_scores(
    history: Sequence[HistoryItem],
    neighbours: Mapping[int, Sequence[tuple[int, float]]],
) -> tuple[dict[int, float], dict[int, list[tuple[int, float]]]]:
    """Each item's collaborative score (0-1) and the history items behind it.

    cf(i) = sum over history items h of strength(h) * neighbour_score(h, i),
    divided by the largest such sum, so the item the history points at most
    has 1. Returns ({item: cf}, {item: [(history item, share of cf)]}).
    """
    raw: dict[int, float] = {}
    parts: dict[int, dict[int, float]] = {}
    for entry in history:
        for item_id, weight in neighbours.get(entry.item_id, ()):
            if weight <= 0:
                continue
            value = entry.strength * weight
            raw[item_id] = raw.get(item_id, 0.0) + value
            parts.setdefault(item_id, {})[entry.item_id] = value
    if not raw:
        return {}, {}
    top = max(raw.values())
    scores = {item_id: value / top for item_id, value in raw.items()}
    sources = {
        item_id: sorted(
            ((source, value / raw[item_id]) for source, value in by_source.items()),
            key=lambda pair: -pair[1],
        )
        for item_id, by_source in parts.items()
    }
    return scores, sources


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


# Generated lines end with their examples: "Cozy mysteries (e.g. A, B, C)".
# The rationale quotes the description; the examples are the person's own
# items, which the history part names when they pulled the item in.
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


def _history_phrase(sources: Sequence[HistorySource]) -> str:
    named = [f"{s.item.title}, which {s.item.action}" for s in sources]
    return "similar to " + " and to ".join(named) if named else "close to what you rated highly"


def _term_parts(scored: Scored, term: str) -> list[ReasonPart]:
    """What one contributing term says, as parts (none when it has nothing to name)."""
    if term == "pos" and scored.matches:
        parts = [ReasonPart("matches ")]
        for number, match in enumerate(scored.matches):
            parts += [ReasonPart(" and ")] if number else []
            parts.append(_quote(match.statement))
        return parts
    if term == "cf":
        return [ReasonPart(_history_phrase(scored.sources))]
    if term == "pop":
        return [ReasonPart(f"popular with {_people(scored.popularity)}")]
    if term == "neg" and scored.avoided:
        return [ReasonPart("ranked lower as it is close to "), _quote(scored.avoided.statement)]
    return []


def rationale(scored: Scored, *, personalised: bool = True) -> str:
    """One sentence naming only the terms that contributed, largest first."""
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
    terms = [parts for term in scored.named_terms() if (parts := _term_parts(scored, term))]
    if [[part.text for part in parts] for parts in terms] == [
        [f"popular with {_people(scored.popularity)}"]
    ]:
        return (
            ReasonPart(
                f"Popular with {_people(scored.popularity)}; nothing in your profile or "
                "history points to anything more specific yet."
            ),
        )
    if not terms:  # every term is zero: no signal at all, and nobody rated it
        return (
            ReasonPart(
                "Nothing in your profile or history points to anything yet; nobody has rated it."
            ),
        )
    sentence = [part for number, parts in enumerate(terms) for part in _joined(number, parts)]
    first = sentence[0]
    sentence[0] = replace(first, text=first.text[0].upper() + first.text[1:])
    return (*sentence, ReasonPart("."))


def _joined(number: int, parts: list[ReasonPart]) -> list[ReasonPart]:
    return [ReasonPart("; "), *parts] if number else parts


def rank(
    table: ScoreTable,
    *,
    k: int,
    settings: Settings,
    exclude_ids: Sequence[int] = (),
) -> list[Recommendation]:
    """Drop removed (and excluded) items, diversify, and attach each item's rationale."""
    kept = ~table.removed
    if len(exclude_ids):
        kept &= ~np.isin(table.candidates.ids, np.asarray(exclude_ids, dtype=np.int64))
    rows = np.flatnonzero(kept)
    pool = rows[np.argsort(-table.score[rows], kind="stable")][: max(3 * k, 30)]
    vectors = {int(table.candidates.ids[row]): table.candidates.vectors[row] for row in pool}
    chosen = diversify(
        [table.scored(int(row)) for row in pool], vectors, k=k, diversity=settings.diversity
    )
    return [
        Recommendation(s, position, reason_parts(s, personalised=settings.personalised))
        for position, s in enumerate(chosen, 1)
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
