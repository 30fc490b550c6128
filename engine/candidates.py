"""Which items a list is drawn from, for one person or for the same person
twice (now, and after a change to their profile or history).

Candidates: the items the person's history pulls in most (the trained
neighbours of their positives), the nearest items to each "Likes" line's
words and to its group's centre (the centre reaches items nobody has rated
yet), a named category's popular items, what a typed line's own items pull
in, and popular items when history is short (or when personalisation is
off: then only those). Seen items never.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from engine import retrieval, scoring
from engine.catalog_cache import catalog_stats, category_members
from engine.neighbour_cache import cached_neighbour_rows
from engine.person import History, ListOptions, Person
from engine.training import NeighbourRows, active_model

# 50 per line: a list of 10 drawn from 6 lines needs far fewer, and the
# index scan is most of a request's database time.
ANN_PER_STATEMENT = 50
CF_CANDIDATES = 300
# What a typed line's own items pull in, this many.
TYPED_CANDIDATES = 100
POPULAR_CANDIDATES = 100
# A "Likes" line that names a category also brings in that many of the
# category's most popular items: its words can be far from many of them.
LABEL_CANDIDATES = 50
LITTLE_HISTORY = 10


@dataclass(frozen=True)
class Gathered:
    """Every version's candidates, their vectors read once."""

    candidates: scoring.Candidates  # the union, row-aligned, shared by every version
    owns: list[set[int]]  # per person: the ids its own list may be drawn from
    model_id: int | None  # the collaborative model the links come from
    stats: scoring.CatalogStats


def _liked(person: Person) -> list[scoring.ProfileStatement]:
    return [s for s in person.statements if s.polarity == scoring.LIKE and s.weight > 0]


def _typed(person: Person) -> list[scoring.ProfileStatement]:
    """Likes lines with no history behind them: they find their own group."""
    positives = {h.item_id for h in person.history.positives}
    return [s for s in _liked(person) if not set(s.members) & positives]


def _top_pulled(rows: NeighbourRows, weights: np.ndarray, count: int) -> list[int]:
    """The ``count`` items the rows pull in hardest, each row weighted."""
    if not len(rows.neighbours):
        return []
    pulled, inverse = np.unique(rows.neighbours, return_inverse=True)
    total = np.bincount(inverse, weights=rows.scores * weights[rows.row_of()])
    return pulled[np.argsort(-total, kind="stable")[:count]].tolist()


class _Pools:
    """Candidate ids by where they come from, shared by the versions that agree."""

    def __init__(self, persons: Sequence[Person], options: ListOptions) -> None:
        self.options = options
        self.persons = persons
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

    def nearest(self, members: dict[str, np.ndarray]) -> tuple[dict, dict]:
        """Each "Likes" line's nearest items to its words and to its group's
        centre (one ANN round trip for all of them), and each named
        category's most popular unseen items."""
        queries: dict[tuple, np.ndarray] = {}
        for person in self.persons:
            for s in _liked(person):
                queries[("words", s.text)] = s.vector
                if s.centre is not None:
                    queries[("centre", s.members)] = s.centre
        found = retrieval.nearest_ids_many(
            list(queries.values()),
            k=ANN_PER_STATEMENT,
            category=self.options.category,
            exclude_ids=self.seen,
            ef_search=ANN_PER_STATEMENT,
        )
        by_label = {}
        for label in {label for p in self.persons for s in _liked(p) for label in s.labels}:
            top = members[label][: LABEL_CANDIDATES + len(self.seen)]
            by_label[label] = top[~np.isin(top, self.seen)][:LABEL_CANDIDATES].tolist()
        return dict(zip(queries, found, strict=True)), by_label

    def own(self, person: Person, nearest: dict, by_label: dict, links: "_Links") -> set[int]:
        """The ids one version's list may be drawn from."""
        own = set(links.pulled_by(person.history))
        if not person.settings.personalised or len(person.history.positives) < LITTLE_HISTORY:
            own.update(self.popular())
        for s in _liked(person):
            own.update(nearest[("words", s.text)])
            own.update(nearest.get(("centre", s.members), ()))
            for label in s.labels:
                own.update(by_label.get(label, ()))
        for s in _typed(person):
            own.update(links.pulled_by_typed(s, nearest, by_label))
        if not own:  # nothing known at all: start from what is popular
            own.update(self.popular())
        return own - person.history.seen.keys()


class _Links:
    """The trained neighbours of every item that can pull candidates in."""

    def __init__(self, rows: NeighbourRows) -> None:
        self.rows = rows
        self.row_of = {int(item): n for n, item in enumerate(rows.sources)}

    def _subset(self, items: Sequence[int]) -> tuple[NeighbourRows, np.ndarray]:
        picked = [self.row_of[i] for i in items if i in self.row_of]
        if not picked:
            return NeighbourRows.empty(), np.zeros(0, dtype=np.int64)
        starts, stops = self.rows.indptr[picked], self.rows.indptr[np.add(picked, 1)]
        index = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
        counts = stops - starts
        subset = NeighbourRows(
            sources=self.rows.sources[picked],
            indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            neighbours=self.rows.neighbours[index],
            scores=self.rows.scores[index],
        )
        return subset, np.asarray(picked)

    def pulled_by(self, history: History) -> list[int]:
        """What the history pulls in most: thousands of neighbours, of which
        those it points at weakly never rank unless a line also matches them,
        and then the line's own nearest items bring them in."""
        strength = {h.item_id: h.strength for h in history.positives}
        subset, _ = self._subset(list(strength))
        weights = np.array([strength[int(i)] for i in subset.sources])
        return _top_pulled(subset, weights, CF_CANDIDATES)

    def pulled_by_typed(self, statement, nearest: dict, by_label: dict) -> list[int]:
        items = [*nearest[("words", statement.text)]]
        for label in statement.labels:
            items += by_label.get(label, ())
        subset, _ = self._subset([*statement.members, *items])
        return _top_pulled(subset, np.ones(len(subset.sources)), TYPED_CANDIDATES)

    def matrix(self, item_ids: np.ndarray) -> sparse.csr_matrix:
        """Sources x candidates: each source's neighbour weight to each candidate."""
        columns = np.searchsorted(item_ids, self.rows.neighbours)
        columns = np.minimum(columns, max(len(item_ids) - 1, 0))
        present = (
            item_ids[columns] == self.rows.neighbours if len(item_ids) else np.zeros(0, dtype=bool)
        )
        return sparse.csr_matrix(
            (self.rows.scores[present], (self.rows.row_of()[present], columns[present])),
            shape=(len(self.rows.sources), len(item_ids)),
        )


def gather(
    persons: Sequence[Person], options: ListOptions, extra_ids: Sequence[int] = ()
) -> Gathered:
    """Candidates for each version of one person, scored later under each version.

    1. Read the trained neighbours of every version's positives and of the
       items typed lines find (one query for those this process does not
       hold yet, engine.neighbour_cache), and each line's nearest items (one
       ANN round trip).
    2. Each version's own ids: what its history pulls in, its lines'
       nearest items and named categories, what its typed lines pull in;
       popular items when little else is known.
    3. The vectors of every version's candidates (and ``extra_ids``) read
       once, so each version can be scored on all of them: a preview can say
       why an item of the current list leaves the draft's. A list is still
       drawn from its own ids only, so a draft's preview is exactly the list
       its saved revision gets.
    """
    personalised = persons[0].settings.personalised  # one person: the same settings
    model = active_model() if personalised else None
    pools = _Pools(persons, options)
    stats = catalog_stats()
    members = {
        label: category_members(label, stats)
        for label in {label for p in persons for s in p.statements for label in s.labels}
    }
    nearest, by_label = pools.nearest(members) if personalised else ({}, {})
    sources = {h.item_id for history in pools.histories for h in history.positives}
    for person in persons:
        for s in _typed(person):
            sources.update(s.members)
            sources.update(nearest[("words", s.text)])
            for label in s.labels:
                sources.update(by_label.get(label, ()))
    links = _Links(cached_neighbour_rows(model=model, item_ids=sorted(sources)))
    owns = [pools.own(person, nearest, by_label, links) for person in persons]
    item_ids, vectors, popularity = retrieval.item_vectors(
        sorted(set(extra_ids).union(*owns)), category=options.category
    )
    candidates = scoring.Candidates(
        ids=item_ids,
        vectors=vectors,
        popularity=popularity,
        links=links.matrix(item_ids),
        sources=links.rows.sources,
        categories=retrieval.items_carrying(item_ids, sorted(members)),
    )
    return Gathered(candidates, owns, model.pk if model else None, stats)
