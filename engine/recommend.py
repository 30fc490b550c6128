"""Recommendations for one person: the glue between the database and engine.scoring.

Everything here runs in the web process, synchronously: reading the person
(engine.person), gathering candidates (engine.candidates), scoring them
(engine.scoring), drawing the list and logging what was served. Nothing
waits for a worker: a statement without a vector yet is encoded here
(cached by text). A change (a preview, a steering action) scores the list
before and after in one pass (``score_change``) and compares them
(``rank_changes``).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from catalog.models import Item
from engine import scoring
from engine.candidates import gather
from engine.models import RecommendationLog
from engine.person import ListOptions, Person, avoided_items, person_read
from profiles.services import StatementDraft
from recsite.errors import ApplicationError


@dataclass(frozen=True)
class Served:
    item: Item
    recommendation: scoring.Recommendation


@dataclass(frozen=True)
class RecommendationList:
    profile_revision: int
    settings: scoring.Settings
    items: list[Served]
    milliseconds: float
    log_id: int | None = None
    model_id: int | None = None  # the collaborative model it was scored with


@dataclass(frozen=True)
class _Scores:
    """Candidates scored under each version of one person (see engine.candidates.gather)."""

    persons: list[Person]
    tables: list[scoring.ScoreTable]
    owns: list[set[int]]
    model_id: int | None

    def listed(self, version: int, options: ListOptions, person: Person | None = None):
        """The list of ``version``, drawn from its own candidates only; ``person``
        replaces the version's person (the same statements, final evidence)."""
        person = person or self.persons[version]
        table, own = self.tables[version], self.owns[version]
        others = [int(i) for i in table.candidates.ids if int(i) not in own]
        return scoring.rank(
            table,
            k=options.k,
            settings=person.settings,
            exclude_ids=[*person.history.seen, *others, *person.avoided],
        )


def _score(
    persons: Sequence[Person], options: ListOptions, extra_ids: Sequence[int] = ()
) -> _Scores:
    """Gather candidates once for every version and score each version on all of them."""
    gathered = gather(persons, options, extra_ids)
    tables = [
        scoring.score_candidates(
            gathered.candidates,
            p.statements,
            {h.item_id: h for h in p.history.positives},
            gathered.stats,
            p.settings,
        )
        for p in persons
    ]
    return _Scores(list(persons), tables, gathered.owns, gathered.model_id)


def _ranked(
    person: Person, options: ListOptions, extra_ids: Sequence[int] = ()
) -> tuple[scoring.ScoreTable, list[scoring.Recommendation], int | None]:
    scores = _score([person], options, extra_ids)
    return scores.tables[0], scores.listed(0, options), scores.model_id


def _served(
    listed: Sequence[scoring.Recommendation], items: dict[int, Item] | None = None
) -> list[Served]:
    if items is None:
        items = Item.objects.defer("embedding").in_bulk([r.scored.item_id for r in listed])
    return [Served(items[r.scored.item_id], r) for r in listed]


def recommend_for_user(
    *, user, options: ListOptions = ListOptions(), log: bool = True
) -> RecommendationList:
    """The person's list, best first, each item with its terms and rationale; logged."""
    started = time.perf_counter()
    person = person_read(user, options)
    _, listed, model_id = _ranked(person, options)
    result = RecommendationList(
        profile_revision=person.profile.revision if person.profile else 0,
        settings=person.settings,
        items=_served(listed),
        milliseconds=(time.perf_counter() - started) * 1000,
        model_id=model_id,
    )
    return recommendations_log(user=user, options=options, listed=result) if log else result


def recommendations_log(
    *, user, options: ListOptions, listed: RecommendationList
) -> RecommendationList:
    """Log a list as served (``RecommendationLog``); the list with its log id."""
    settings_ = listed.settings
    log_id = RecommendationLog.objects.create(
        user=user,
        profile_revision=listed.profile_revision,
        params={
            "k": options.k,
            "category": options.category,
            "personalised": settings_.personalised,
            "balance": settings_.balance,
            "diversity": settings_.diversity,
        },
        entries=[log_entry(s.recommendation) for s in listed.items],
        model_id=listed.model_id,
        milliseconds=round(listed.milliseconds, 2),
    ).pk
    return replace(listed, log_id=log_id)


def log_entry(recommendation: scoring.Recommendation) -> dict:
    scored = recommendation.scored
    return {
        "item": scored.item_id,
        "rank": recommendation.rank,
        "score": round(scored.score, 4),
        "contributions": scored.contributions,
        "statements": [m.statement.text for m in scored.matches],
        "history": [s.item.item_id for s in scored.sources],
        "rationale": recommendation.rationale,
    }


# --- A change: the list before and after ------------------------------------------


@dataclass(frozen=True)
class ChangeScores:
    """The person's list now and after a change, scored in one pass; nothing logged.

    Scored together, both versions share one read of the profile, the
    history, the trained neighbours, the candidates' vectors and one ANN
    round trip, which halves a change's time against two lists. Each list is
    still drawn from its own candidates, so ``after`` is exactly the list the
    saved change gives on the next request.
    """

    scores: _Scores
    options: ListOptions
    started: float

    @property
    def now(self) -> scoring.ScoreTable:
        return self.scores.tables[0]

    @property
    def changed(self) -> scoring.ScoreTable:
        return self.scores.tables[1]

    @cached_property
    def before(self) -> list[scoring.Recommendation]:
        return self.scores.listed(0, self.options)

    def after(self, drafts: list[StatementDraft] | None = None) -> list[scoring.Recommendation]:
        """The changed list; ``drafts``: the changed statements with their final
        evidence (which never changes a score, only what an Avoids line keeps out)."""
        person = self.scores.persons[1]
        if drafts is not None and person.settings.personalised:
            person = replace(person, drafts=drafts, avoided=avoided_items(drafts))
        return self.scores.listed(1, self.options, person)

    def lists(
        self, drafts: list[StatementDraft] | None = None
    ) -> tuple[RecommendationList, RecommendationList]:
        """Both lists as served (``after`` with ``drafts``, see above)."""
        before, after = self.before, self.after(drafts)
        items = Item.objects.defer("embedding").in_bulk(
            {r.scored.item_id for r in (*before, *after)}
        )
        milliseconds = (time.perf_counter() - self.started) * 1000
        current = self.scores.persons[0]
        revision = current.profile.revision if current.profile else 0
        return tuple(
            RecommendationList(
                profile_revision=revision,
                settings=person.settings,
                items=_served(ranked, items),
                milliseconds=milliseconds,
                model_id=self.scores.model_id,
            )
            for ranked, person in ((before, current), (after, self.scores.persons[1]))
        )


def score_change(
    *,
    user,
    options: ListOptions,
    before: list[StatementDraft] | None = None,
    after: list[StatementDraft],
    history=None,
    changed_history=None,
) -> ChangeScores:
    """Score the person now (``before`` statements, ``history``; None: as stored)
    and after a change (``after`` statements, ``changed_history``; None: the same)."""
    started = time.perf_counter()
    current = person_read(user, options, drafts=before, history=history)
    changed = person_read(user, options, drafts=after, base=current, history=changed_history)
    return ChangeScores(_score([current, changed], options), options, started)


@dataclass(frozen=True)
class Move:
    """One item of a list after a change, or one that left it."""

    item: Item
    change: str  # entered, up, down, same, left
    before: int | None  # rank in the list before the change
    after: int | None  # rank after it
    recommendation: scoring.Recommendation | None  # None for items that left
    cause: str | None = None  # a preview's edited line behind the move, as typed


RISING = ("entered", "up")


def rank_changes(
    before: RecommendationList, after: RecommendationList
) -> tuple[list[Move], list[Move]]:
    """Each item of ``after`` entered, moved up or down, or stayed; the items of
    ``before`` that are gone left."""
    previous = {s.item.pk: s.recommendation.rank for s in before.items}
    moves = []
    for served in after.items:
        rank, was = served.recommendation.rank, previous.get(served.item.pk)
        if was is None:
            change = "entered"
        elif was == rank:
            change = "same"
        else:
            change = "up" if rank < was else "down"
        moves.append(Move(served.item, change, was, rank, served.recommendation))
    now = {served.item.pk for served in after.items}
    left = [
        Move(s.item, "left", s.recommendation.rank, None, None)
        for s in before.items
        if s.item.pk not in now
    ]
    return moves, left


# --- Why not this item? ------------------------------------------------------


@dataclass(frozen=True)
class WhyNot:
    item: Item
    absence: scoring.Absence


def why_not(*, user, item_id: int, options: ListOptions = ListOptions()) -> WhyNot:
    """Why ``item_id`` is not in the person's list, from the terms that ranked it."""
    item = Item.objects.defer("embedding").filter(pk=item_id, is_active=True).first()
    if item is None:
        raise ApplicationError(
            f"There is no item {item_id} in the catalog.", extra={"field": "item"}, status_code=404
        )
    person = person_read(user, options)
    action = person.history.seen.get(item.pk)
    if action:
        return WhyNot(
            item,
            scoring.Absence(
                "seen",
                f"You have already seen it ({action}): items you rated, liked, disliked or "
                "marked not interested are not recommended again.",
            ),
        )
    if item.pk in person.avoided:
        return WhyNot(
            item,
            scoring.Absence(
                "avoided",
                f"It is filtered out by your line “{person.avoided[item.pk]}”: you said that "
                "was not why you wanted it.",
            ),
        )
    if options.category and options.category not in item.categories:
        return WhyNot(
            item,
            scoring.Absence("category", f"It is not in the category {options.category!r}."),
        )
    if not Item.objects.filter(pk=item.pk).exclude(embedding=None).exists():
        return WhyNot(
            item,
            scoring.Absence(
                "unavailable", "It has not been analysed yet; it can be recommended soon."
            ),
        )
    table, listed, _ = _ranked(person, options, extra_ids=[item.pk])
    return WhyNot(
        item,
        scoring.explain_absence(table, table.row_of(item.pk), listed, settings=person.settings),
    )
