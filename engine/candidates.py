"""Which items a list is drawn from, for one person or for the same person
twice (now, and after a change to their profile or history).

Candidates: the nearest items to each "Likes" line, the trained neighbours
of the person's recent positives, a category's popular items for a line that
names one, and popular items when history is short (or when personalisation
is off: then only those). Seen items never.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import retrieval, scoring
from engine.catalog_cache import catalog_stats, category_members
from engine.person import History, ListOptions, Person
from engine.training import active_model, item_neighbours

# 50 per line: a list of 10 drawn from 6 lines needs far fewer, and the
# index scan is most of a request's database time.
ANN_PER_STATEMENT = 50
CF_CANDIDATES = 300
POPULAR_CANDIDATES = 100
# A "Likes" line that names a category also brings in that many of the
# category's most popular items: its words can be far from many of them.
LABEL_CANDIDATES = 50
LITTLE_HISTORY = 10


@dataclass(frozen=True)
class Gathered:
    """Every version's candidates, their vectors read once."""

    candidates: list[scoring.Candidates]  # per person, row-aligned with the others
    owns: list[set[int]]  # per person: the ids its own list may be drawn from
    model_id: int | None  # the collaborative model the cf scores come from
    stats: scoring.CatalogStats


def _liked(persons: Sequence[Person]) -> list[scoring.ProfileStatement]:
    return [s for p in persons for s in p.statements if s.polarity == scoring.LIKE and s.weight > 0]


class _Pools:
    """Candidate ids by where they come from, shared by the versions that agree."""

    def __init__(self, persons: Sequence[Person], options: ListOptions) -> None:
        self.options = options
        self.histories = list({id(p.history): p.history for p in persons}.values())
        # Retrieval leaves out what every version has seen; each version's own
        # seen items leave its candidates in ``own``.
        self.seen = sorted(set.intersection(*(set(h.seen) for h in self.histories)))
        self._popular: list[int] | None = None

    def popular(self) -> list[int]:
        if self._popular is None:
            self._popular = retrieval.popular_ids(
                k=max(POPULAR_CANDIDATES, self.options.k),
                category=self.options.category,
                exclude_ids=self.seen,
            )
        return self._popular

    def from_history(
        self, history: History, cf: dict[int, float], *, personalised: bool
    ) -> set[int]:
        # The history's neighbours can number thousands; those the history points
        # at weakly never rank unless a statement also matches them, and then the
        # statement's own nearest items bring them in.
        pool = set(sorted(cf, key=cf.__getitem__, reverse=True)[:CF_CANDIDATES])
        if not personalised or len(history.positives) < LITTLE_HISTORY:
            pool.update(self.popular())
        return pool

    def from_lines(
        self, persons: Sequence[Person], members: dict[str, np.ndarray]
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Each "Likes" line's nearest items (one ANN round trip for all of them)
        and each named category's most popular unseen items."""
        liked = _liked(persons)
        lines = {s.text: s.vector for s in liked}
        found = retrieval.nearest_ids_many(
            list(lines.values()),
            k=ANN_PER_STATEMENT,
            category=self.options.category,
            exclude_ids=self.seen,
            ef_search=ANN_PER_STATEMENT,
        )
        by_label = {}
        for label in {s.label for s in liked if s.label}:
            top = members[label][: LABEL_CANDIDATES + len(self.seen)]
            by_label[label] = top[~np.isin(top, self.seen)][:LABEL_CANDIDATES].tolist()
        return dict(zip(lines, found, strict=True)), by_label


def gather(
    persons: Sequence[Person], options: ListOptions, extra_ids: Sequence[int] = ()
) -> Gathered:
    """Candidates for each version of one person, scored later under each version.

    1. The collaborative scores of each distinct history (one read of the
       trained neighbours for all of them).
    2. Each version's own ids: its history's pool, its lines' nearest items
       and named categories; popular items when nothing else is known.
    3. The vectors of every version's candidates (and ``extra_ids``) read
       once, so each version can be scored on all of them: a preview can say
       why an item of the current list leaves the draft's. A list is still
       drawn from its own ids only, so a draft's preview is exactly the list
       its saved revision gets.
    """
    personalised = persons[0].settings.personalised  # one person: the same settings
    model = active_model() if personalised else None
    pools = _Pools(persons, options)
    positives = {h.item_id for history in pools.histories for h in history.positives}
    neighbours = (
        item_neighbours(model_id=model.pk, item_ids=sorted(positives))
        if model and positives
        else {}
    )
    collaborative = {
        id(history): scoring.collaborative_scores(history.positives, neighbours)
        for history in pools.histories
    }
    stats = catalog_stats()
    members = {
        label: category_members(label, stats)
        for label in {s.label for p in persons for s in p.statements if s.label}
    }
    nearest, by_label = pools.from_lines(persons, members)
    owns = []
    for person in persons:
        cf = collaborative[id(person.history)][0]
        own = pools.from_history(person.history, cf, personalised=personalised)
        for s in person.statements:
            if s.polarity == scoring.LIKE and s.weight > 0:
                own.update(nearest[s.text])
                own.update(by_label.get(s.label, ()))
        if not own:  # nothing known at all: start from what is popular
            own.update(pools.popular())
        owns.append(own - person.history.seen.keys())
    item_ids, vectors, popularity = retrieval.item_vectors(
        sorted(set(extra_ids).union(*owns)), category=options.category
    )
    categories = {label: np.isin(item_ids, ids) for label, ids in members.items()}
    by_history = {
        key: scoring.Candidates(
            ids=item_ids,
            vectors=vectors,
            popularity=popularity,
            cf=np.array([cf.get(int(i), 0.0) for i in item_ids]),
            cf_sources=sources,
            categories=categories,
        )
        for key, (cf, sources) in collaborative.items()
    }
    candidates = [by_history[id(p.history)] for p in persons]
    return Gathered(candidates, owns, model.pk if model else None, stats)
