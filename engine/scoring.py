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

score = balance * pos + (1 - balance) * cf + POP_WEIGHT * pop - NEG_WEIGHT * neg,
where ``balance`` (0-1) is the person's choice between "what I wrote" (1) and
"what I did" (0).
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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

    @classmethod
    def from_vectors(cls, vectors: np.ndarray, popularity: np.ndarray) -> "CatalogStats":
        vectors = np.asarray(vectors, dtype=np.float64)
        if len(vectors) < 2:
            dims = vectors.shape[1] if vectors.ndim == 2 else 0
            return cls(np.zeros(dims), np.eye(dims), int(popularity.max(initial=0)))
        return cls(
            mean=vectors.mean(axis=0),
            covariance=np.cov(vectors, rowvar=False),
            max_popularity=int(popularity.max(initial=0)),
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
    rationale: str


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


def _combined_match(values: np.ndarray) -> float:
    """Best match in full, each further one by a decaying share."""
    ordered = np.sort(values[values > 0])[::-1]
    return float(sum(value * FURTHER_MATCH_SHARE**k for k, value in enumerate(ordered)))


def popularity_prior(popularity: np.ndarray | int, max_popularity: int) -> np.ndarray:
    return np.log1p(popularity) / math.log1p(max(max_popularity, 1))


def score_candidates(
    candidates: Candidates,
    statements: Sequence[ProfileStatement],
    history: Mapping[int, HistoryItem],
    stats: CatalogStats,
    settings: Settings,
) -> list[Scored]:
    """Every candidate's terms and score, in candidate order (nothing removed yet)."""
    likes = [s for s in statements if s.polarity == LIKE and s.weight > 0]
    avoids = [s for s in statements if s.polarity == AVOID and s.weight > 0]
    like_match, _ = statement_matches(likes, candidates.vectors, stats)
    avoid_match, avoid_z = statement_matches(avoids, candidates.vectors, stats)
    pop = popularity_prior(candidates.popularity, stats.max_popularity)
    words, did = (settings.balance, 1.0 - settings.balance)
    if not settings.personalised:
        words = did = 0.0
    scored = []
    for row, item_id in enumerate(candidates.ids.tolist()):
        pos = _combined_match(like_match[row]) if likes else 0.0
        neg = float(avoid_match[row].max()) if avoids else 0.0
        closest = int(avoid_z[row].argmax()) if avoids else -1
        removed = bool(avoids) and float(avoid_z[row, closest]) >= AVOID_REMOVE_Z
        worst = closest if removed else int(avoid_match[row].argmax()) if avoids else -1
        contributions = {
            "pos": words * pos,
            "cf": did * float(candidates.cf[row]),
            "pop": POP_WEIGHT * float(pop[row]),
            "neg": -NEG_WEIGHT * neg,
        }
        order = np.argsort(-like_match[row]) if likes else []
        matches = [
            Match(likes[i], words * float(like_match[row, i]))
            for i in order[:CITED_STATEMENTS]
            if like_match[row, i] > 0 and words > 0
        ]
        sources = [
            HistorySource(history[source], did * float(candidates.cf[row]) * share)
            for source, share in candidates.cf_sources.get(item_id, [])[:CITED_HISTORY]
            if source in history and did > 0
        ]
        scored.append(
            Scored(
                item_id=item_id,
                score=sum(contributions.values()),
                contributions={term: round(value, 4) for term, value in contributions.items()},
                matches=matches,
                avoided=Match(avoids[worst], contributions["neg"]) if neg > 0 or removed else None,
                removed=removed,
                sources=sources,
                best_match=float(like_match[row].max()) if likes else 0.0,
                popularity=int(candidates.popularity[row]),
            )
        )
    return scored


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


def _quote(statement: ProfileStatement) -> str:
    return f"“{_EXAMPLES.sub('', statement.text) or statement.text}”"


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _history_phrase(sources: Sequence[HistorySource]) -> str:
    named = [f"{s.item.title}, which {s.item.action}" for s in sources]
    return "similar to " + " and to ".join(named) if named else "close to what you rated highly"


def rationale(scored: Scored, *, personalised: bool = True) -> str:
    """One sentence naming only the terms that contributed, largest first."""
    if not personalised:
        return (
            f"Popular: {_people(scored.popularity)} rated or liked it "
            "(personalisation is off, so your profile and history are not used)."
        )
    parts = []
    for term in scored.named_terms():
        if term == "pos" and scored.matches:
            quoted = " and ".join(_quote(m.statement) for m in scored.matches)
            parts.append(f"matches {quoted}")
        elif term == "cf":
            parts.append(_history_phrase(scored.sources))
        elif term == "pop":
            parts.append(f"popular with {_people(scored.popularity)}")
        elif term == "neg" and scored.avoided:
            parts.append(f"ranked lower as it is close to {_quote(scored.avoided.statement)}")
    if parts == [f"popular with {_people(scored.popularity)}"]:
        return (
            f"Popular with {_people(scored.popularity)}; nothing in your profile or "
            "history points to anything more specific yet."
        )
    if not parts:  # every term is zero: no signal at all, and nobody rated it
        return "Nothing in your profile or history points to anything yet; nobody has rated it."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def rank(
    scored: Sequence[Scored],
    vectors: Mapping[int, np.ndarray],
    *,
    k: int,
    settings: Settings,
) -> list[Recommendation]:
    """Drop removed items, diversify, and attach each item's rationale."""
    kept = [s for s in scored if not s.removed]
    chosen = diversify(kept, vectors, k=k, diversity=settings.diversity)
    return [
        Recommendation(s, position, rationale(s, personalised=settings.personalised))
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
    target: Scored,
    others: Sequence[Scored],
    listed: Sequence[Recommendation],
    *,
    settings: Settings,
) -> Absence:
    """Why ``target`` is not among ``listed``, from the same terms that ranked the list.

    ``others`` are the scored candidates of the list (the target may be among them).
    """
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
            f"It is filtered out by your line {_quote(target.avoided.statement)}.",
            None,
            target,
        )
    ahead = sum(
        1
        for s in others
        if not s.removed and s.item_id != target.item_id and s.score > target.score
    )
    position = ahead + 1
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
