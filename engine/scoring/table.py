"""Every candidate's terms and score under one version of a person's profile."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.scoring.groups import Groups, history_groups, unseen_cap, unseen_pull
from engine.scoring.matching import _apply_labels, all_matches
from engine.scoring.model import (
    AVOID,
    AVOID_REMOVE_Z,
    CITED_HISTORY,
    CONTENT_WEIGHT,
    LIKE,
    NEG_WEIGHT,
    POP_WEIGHT,
    TYPED_FULL_BALANCE,
    Candidates,
    CatalogStats,
    HistoryItem,
    HistorySource,
    Match,
    ProfileStatement,
    Scored,
    Settings,
    popularity_prior,
)


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
        pulls = self.candidates.pulls_on(row, rows) * strengths
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


@dataclass(frozen=True)
class _Avoiding:
    """What the Avoids lines take from each candidate, and what they remove."""

    own: np.ndarray  # lines the person wrote: in full
    drawn: np.ndarray  # lines drawn from their dislikes, at balance 1
    removed: np.ndarray  # bool: only lines the person wrote remove items

    @classmethod
    def of(cls, avoids, match: np.ndarray, z: np.ndarray) -> "_Avoiding":
        own = np.array([s.own for s in avoids], dtype=bool)
        n = len(match)
        removed = (
            (z[:, own] >= AVOID_REMOVE_Z).any(axis=1) if own.any() and n else np.zeros(n, bool)
        )
        return cls(
            own=-NEG_WEIGHT * match[:, own].max(axis=1, initial=0.0),
            drawn=-NEG_WEIGHT * match[:, ~own].max(axis=1, initial=0.0),
            removed=removed,
        )


def _groups(candidates, likes, avoids, history, like_match, content, words: float) -> Groups:
    """Each line's collaborative part (history_groups), with a guess for the
    items nobody has rated and typed lines faded towards balance 0."""
    groups = history_groups(candidates, likes, avoids, history, like_match)
    strengths = np.array([s.weight for s in likes])
    unseen_pull(groups, content, strengths, candidates.popularity)
    # A typed line's own group was found by its words: towards balance 0
    # ("what I did" alone) it fades out, fully in from TYPED_FULL_BALANCE.
    typed = [column for column, held in groups.like_history if not held]
    groups.like[:, typed] *= min(1.0, words / TYPED_FULL_BALANCE)
    return groups


def _matches(candidates: Candidates, likes, avoids, stats: CatalogStats):
    """Each Likes and Avoids line's match to every candidate, category labels
    applied; the Avoids lines' z-scores; each Likes line's centre's match."""
    like_match, avoid_match, avoid_z, content = all_matches(
        likes, avoids, candidates.vectors, stats
    )
    if candidates.categories:
        _apply_labels(likes, candidates, like_match)
        _apply_labels(avoids, candidates, avoid_match, avoid_z)
    return like_match, avoid_match, avoid_z, content


def sparse_centre_share(groups: Groups) -> float:
    """How much a history line's centre counts beside its group's neighbours,
    on the "what I did" side: 1 / (1 + the history items the model knows).

    A short history is where the trained neighbours know least about a
    person: three items' neighbours are three noisy draws. Closeness to the
    items they took is a second estimate of the same taste, so the group's
    centre counts as one more item of the history would, its share 1 / (n +
    1) of the whole: a third of the weight for two known items, a fiftieth
    for fifty, where the neighbours know better. Measured on the
    cold_user protocol (docs/EVALUATION.md, the cold-user paragraph).
    """
    return 1.0 / (1.0 + len(groups.history_rows))


def _listable(candidates: Candidates, removed: np.ndarray, history, seen) -> np.ndarray:
    """What a list could show: not removed, nothing the person has seen."""
    seen_ids = np.concatenate([np.fromiter(history, dtype=np.int64), np.asarray(seen, np.int64)])
    return ~removed & ~np.isin(candidates.ids, seen_ids)


# Kept whole (over 60 lines): it is the scoring formula, read top to bottom
# beside the docstring's three steps; its parts are already helpers, and
# splitting the terms from the table would hide which term each share feeds.
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
    3. Each Likes line's share = strength x ((1 - balance) x (collaborative +
       sparse_centre_share x content) + balance x (words + CONTENT_WEIGHT x
       content)); the score is their sum, plus free history, popularity,
       minus what Avoids lines take.
    ``seen``: items the person has seen beyond their positives (never listed),
    when the candidates hold any.
    """
    likes = [s for s in statements if s.polarity == LIKE and s.weight > 0]
    avoids = [s for s in statements if s.polarity == AVOID and s.weight > 0]
    like_match, avoid_match, avoid_z, content = _matches(candidates, likes, avoids, stats)
    words, did = (settings.balance, 1.0 - settings.balance)
    if not settings.personalised:
        words = did = 0.0
    strengths = np.array([s.weight for s in likes])
    groups = _groups(candidates, likes, avoids, history, like_match, content, words)
    # A line's centre also counts on the "did" side for a short history
    # (sparse_centre_share); not for the items nobody has rated, whose centre
    # guess unseen_pull already made and unseen_cap places.
    known = (np.asarray(candidates.popularity) > 0)[:, np.newaxis]
    did_centre = did * sparse_centre_share(groups) * np.where(known, content, 0.0)
    text = words * (like_match + CONTENT_WEIGHT * content) + did_centre
    avoiding = _Avoiding.of(avoids, avoid_match, avoid_z)
    avoid_pull = groups.avoid @ np.array([s.weight for s in avoids]) if avoids else 0.0

    def terms_of(like: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "pos": text.sum(axis=1),
            "cf": did * (like @ strengths - avoid_pull),
            "history": did * groups.free,
            "pop": POP_WEIGHT * popularity_prior(candidates.popularity, stats.max_popularity),
            "neg": avoiding.own + words * avoiding.drawn,
        }

    terms = terms_of(groups.like)
    listable = _listable(candidates, avoiding.removed, history, seen)
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
        removed=avoiding.removed,
        words=words,
        did=did,
        drawn_neg=avoiding.drawn,
    )
