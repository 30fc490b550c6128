"""Recommendations for one person: the glue between the database and engine.scoring.

Everything here runs in the web process, synchronously: reading the profile,
the history and the trained neighbours, retrieving candidates, scoring them
(engine.scoring) and logging what was served. Nothing waits for a worker: a
statement without a vector yet is encoded here (cached by text).
"""

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings
from django.db import connection

from catalog.models import Item
from catalog.selectors import categories_in_use
from engine import retrieval, scoring
from engine.models import RecommendationLog
from engine.training import active_model, item_neighbours
from profiles.models import Interaction, Profile, Statement
from profiles.services import StatementDraft, profile_text_drafts
from recsite.errors import ApplicationError

MAX_K = 100
# Candidates: the nearest items to each "Likes" statement, the trained
# neighbours of the person's most recent positive items, and (for people
# with little history) the most popular items. 50 per line: a list of 10
# drawn from 6 lines needs far fewer, and the index scan is most of a
# request's database time.
ANN_PER_STATEMENT = 50
RECENT_POSITIVES = 50
CF_CANDIDATES = 300
POPULAR_CANDIDATES = 100
# A "Likes" line that names a category also brings in that many of the
# category's most popular items: its words can be far from many of them.
LABEL_CANDIDATES = 50
LITTLE_HISTORY = 10
# What a person has done with an item that keeps it out of their list.
SEEN_KINDS = [
    Interaction.Kind.RATING,
    Interaction.Kind.LIKE,
    Interaction.Kind.DISLIKE,
    Interaction.Kind.NOT_INTERESTED,
]


@dataclass(frozen=True)
class Request:
    k: int = 10
    category: str = ""
    personalised: bool | None = None  # None: the person's own setting
    diversity: float | None = None  # None: settings.RECOMMEND_DIVERSITY

    def __post_init__(self) -> None:
        if not 1 <= self.k <= MAX_K:
            raise ApplicationError(f"k must be between 1 and {MAX_K}.", extra={"field": "k"})
        if self.diversity is not None and not 0 <= self.diversity <= 1:
            raise ApplicationError(
                "diversity must be between 0 and 1.", extra={"field": "diversity"}
            )


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
class History:
    seen: dict[int, str]  # item id -> what the person did ("you rated it 2")
    positives: list[scoring.HistoryItem]  # most recent first


def _action(kind: str, value: float | None) -> str:
    if kind == Interaction.Kind.RATING:
        return f"you rated {value:g}"
    return {
        Interaction.Kind.LIKE: "you liked",
        Interaction.Kind.DISLIKE: "you disliked",
        Interaction.Kind.NOT_INTERESTED: "you marked not interested",
    }[kind]


def _strength(kind: str, value: float | None) -> float:
    """How strongly an interaction says "more like this": 5 stars or a like 1.0, 4 stars 0.5."""
    if kind == Interaction.Kind.LIKE:
        return 1.0
    return max(0.0, min(1.0, ((value or 0) - 3) / 2))


def user_history(user_id: int) -> History:
    rows = list(
        Interaction.objects.filter(user_id=user_id, kind__in=SEEN_KINDS)
        .order_by("-timestamp", "-id")
        .values_list("item_id", "kind", "value", "item__title", "excluded")
    )
    # An item the person left out ("don't use this item") is still seen, never
    # recommended back, but neither pulls items in nor is named as a reason.
    excluded = {row[0] for row in rows if row[4]}
    seen: dict[int, str] = {}
    positives: list[scoring.HistoryItem] = []
    positive_ids: set[int] = set(excluded)
    for item_id, kind, value, title, _ in rows:
        seen.setdefault(item_id, _action(kind, value))
        positive = kind == Interaction.Kind.LIKE or (
            kind == Interaction.Kind.RATING and value is not None and value >= 4
        )
        if positive and item_id not in positive_ids and len(positives) < RECENT_POSITIVES:
            positive_ids.add(item_id)
            positives.append(
                scoring.HistoryItem(item_id, title, _action(kind, value), _strength(kind, value))
            )
    return History(seen=seen, positives=positives)


_stats_lock = threading.Lock()
_stats: dict[str, tuple[tuple, float, scoring.CatalogStats]] = {}


def catalog_stats() -> scoring.CatalogStats:
    """The catalog's vector mean and covariance, recomputed when embeddings change.

    Whether they changed is one aggregate over the catalog (10 ms on
    ml-latest-small), run at most every RECOMMEND_STATS_SECONDS; the vectors
    themselves are read only when it changed. A few minutes of lag are
    harmless: the statistics move slowly as a catalog grows.
    """
    now = time.monotonic()
    with _stats_lock:
        cached = _stats.get("catalog")
    if cached and now - cached[1] < settings.RECOMMEND_STATS_SECONDS:
        return cached[2]
    with connection.cursor() as cursor:
        # The last two for categories_in_use, which reads every active item,
        # embedded or not: every write to an item moves updated_at.
        cursor.execute(
            "SELECT count(embedding), max(embedded_at), "
            "max(popularity) FILTER (WHERE embedding IS NOT NULL), count(*), max(updated_at) "
            "FROM catalog_item WHERE is_active"
        )
        key = (connection.settings_dict["NAME"], *cursor.fetchone())
    if cached and cached[0] == key:
        stats = cached[2]
    else:
        _, vectors, popularity = retrieval.catalog_vectors()
        # An item's categories are part of its embedded text: changing them
        # re-embeds it, which changes the key.
        stats = scoring.CatalogStats.from_vectors(vectors, popularity, categories_in_use())
    with _stats_lock:
        _stats["catalog"] = (key, now, stats)
    return stats


_members_lock = threading.Lock()
_members: dict[str, object] = {}


def category_members(label: str, stats: scoring.CatalogStats) -> np.ndarray:
    """Ids of the active, embedded items carrying category ``label``, most popular first.

    Read once per category for as long as ``stats`` (catalog_stats) stays the
    same object, so a line naming a category costs no query per request: its
    candidates and which candidates carry it come from this array. The order
    may lag popularity by as long as the statistics do; it only picks which
    of the category's items are candidates, and they are scored on current
    popularity.
    """
    with _members_lock:
        if _members.get("stats") is not stats:
            _members.clear()
            _members["stats"] = stats
        found = _members.get(label)
    if found is None:
        found = np.array(retrieval.popular_ids(k=2**31 - 1, category=label), dtype=np.int64)
        with _members_lock:
            if _members.get("stats") is stats:
                _members[label] = found
    return found


def statement_vectors(
    drafts: Sequence[StatementDraft],
    known: dict[str, np.ndarray],
    categories: Mapping[str, str] | None = None,
) -> list[scoring.ProfileStatement]:
    """Drafts as scoring input; texts without a stored vector are encoded here.

    ``categories`` (``CatalogStats.categories``) labels each line whose
    embedded text names a catalog category.
    """
    from engine.encoder import get_encoder

    missing = [d.embedded_text for d in drafts if d.embedded_text not in known]
    if missing:
        encoded = get_encoder().encode_cached(missing)
        known = {**known, **dict(zip(missing, encoded, strict=True))}
    return [
        scoring.ProfileStatement(
            key=position,
            text=draft.text,
            polarity=draft.polarity,
            weight=draft.weight,
            vector=np.asarray(known[draft.embedded_text], dtype=np.float32),
            label=scoring.category_label(draft.embedded_text, categories or {}),
        )
        for position, draft in enumerate(drafts)
    ]


def _stored_statements(
    profile: Profile | None,
) -> tuple[list[StatementDraft], dict[str, np.ndarray]]:
    """The profile's statements and their stored vectors (by embedded text), in one query.

    Scoring never reads a statement's evidence, so it is not fetched here
    (``profile_drafts`` would cost two more queries per request).
    """
    if profile is None:
        return [], {}
    rows = Statement.objects.filter(profile=profile).order_by("position")
    drafts, known = [], {}
    for statement in rows:
        drafts.append(
            StatementDraft(
                text=statement.text,
                polarity=statement.polarity,
                weight=statement.weight,
                embedded_text=statement.embedded_text,
                origin=statement.origin,
                pinned=statement.pinned,
                grounding=statement.grounding,
            )
        )
        if statement.embedding is not None:
            known[statement.embedded_text] = statement.embedding
    if any(d.polarity == Statement.Polarity.AVOID for d in drafts):
        # An "Avoids" line's evidence is never listed (see _avoided_items):
        # one more query, only for profiles that have such a line.
        evidence: dict[int, list[int]] = {}
        for position, item_id in Statement.evidence.through.objects.filter(
            statement__profile=profile, statement__polarity=Statement.Polarity.AVOID
        ).values_list("statement__position", "item_id"):
            evidence.setdefault(position, []).append(item_id)
        drafts = [
            replace(d, evidence=tuple(sorted(evidence.get(n, ())))) if n in evidence else d
            for n, d in enumerate(drafts)
        ]
    return drafts, known


def _avoided_items(drafts: Sequence[StatementDraft]) -> dict[int, str]:
    """Items an "Avoids" line names as its evidence -> that line's text.

    "Not this reason" turns a "Likes" line into an "Avoids" line with the
    items that quoted it as evidence, and those leave the list for as long
    as the line stays, even the ones its words match too weakly to filter
    out (the person said why they were there, and that it was wrong).
    """
    return {
        item_id: draft.text
        for draft in drafts
        if draft.polarity == Statement.Polarity.AVOID
        for item_id in draft.evidence
    }


@dataclass(frozen=True)
class _Person:
    profile: Profile | None
    drafts: list[StatementDraft]
    statements: list[scoring.ProfileStatement]
    history: History
    settings: scoring.Settings
    known_vectors: dict[str, np.ndarray]  # stored statement vectors by embedded text
    avoided: dict[int, str]  # item id -> the "Avoids" line that names it as evidence


def _person(
    user,
    request: Request,
    drafts: list[StatementDraft] | None = None,
    base: "_Person | None" = None,
) -> _Person:
    """Everything scoring needs about the person; ``drafts`` replace their statements.

    With ``base`` (the same person, read already) only the statements are new:
    a preview reads the profile and history once for both of its lists.
    """
    profile = base.profile if base else Profile.objects.filter(user=user).first()
    stored, known = _stored_statements(profile) if base is None else ([], base.known_vectors)
    if drafts is None:
        drafts = stored
    personalised = request.personalised
    if personalised is None:
        personalised = profile.personalised if profile else True
    diversity = settings.RECOMMEND_DIVERSITY if request.diversity is None else request.diversity
    # Lines that name a catalog category act on its label too (engine.scoring).
    categories = catalog_stats().categories if personalised and drafts else None
    return _Person(
        profile=profile,
        drafts=drafts,
        statements=statement_vectors(drafts, known, categories) if personalised else [],
        history=base.history if base else user_history(user.pk),
        settings=scoring.Settings(
            balance=profile.balance if profile else 0.5,
            diversity=diversity if personalised else 0.0,
            personalised=personalised,
        ),
        known_vectors=known,
        avoided=_avoided_items(drafts) if personalised else {},
    )


def _score(
    persons: Sequence[_Person], request: Request, extra_ids: Sequence[int] = ()
) -> tuple[list[scoring.ScoreTable], list[set[int]], int | None]:
    """Retrieve candidates and score them, for one person or for the same person
    twice: now and after a change (a draft of the profile, a changed history).

    1. Candidates: ANN per "Likes" statement, trained neighbours of recent
       positives, popular items when history is short (or when
       personalisation is off: then only those). Seen items never.
    2. Read the vectors of every version's candidates (and ``extra_ids``)
       once, and score them all under each version: a preview can then say
       why an item of the current list leaves the draft's.
    Returns (a table per version, each version's own candidate ids, model id);
    a list is drawn from its own candidates only, so a draft's preview is
    exactly the list its saved revision gets.
    """
    personalised = persons[0].settings.personalised  # one person: the same settings
    model = active_model() if personalised else None
    histories = list({id(p.history): p.history for p in persons}.values())
    # Retrieval leaves out what every version has seen; each version's own
    # seen items leave its candidates below.
    seen = sorted(set.intersection(*(set(h.seen) for h in histories)))
    positives = {h.item_id for history in histories for h in history.positives}
    neighbours = (
        item_neighbours(model_id=model.pk, item_ids=sorted(positives))
        if model and positives
        else {}
    )
    collaborative = {
        id(history): scoring.collaborative_scores(history.positives, neighbours)
        for history in histories
    }

    def popular() -> list[int]:
        return retrieval.popular_ids(
            k=max(POPULAR_CANDIDATES, request.k), category=request.category, exclude_ids=seen
        )

    popular_ids: list[int] | None = None
    shared: dict[int, set[int]] = {}
    for history in histories:
        cf = collaborative[id(history)][0]
        # The history's neighbours can number thousands; those the history points
        # at weakly never rank unless a statement also matches them, and then the
        # statement's own nearest items bring them in.
        shared[id(history)] = set(sorted(cf, key=cf.__getitem__, reverse=True)[:CF_CANDIDATES])
        if not personalised or len(history.positives) < LITTLE_HISTORY:
            popular_ids = popular() if popular_ids is None else popular_ids
            shared[id(history)].update(popular_ids)
    # One ANN round trip for every distinct "Likes" line of every profile.
    liked = [
        s for p in persons for s in p.statements if s.polarity == scoring.LIKE and s.weight > 0
    ]
    lines = {s.text: s.vector for s in liked}
    found = retrieval.nearest_ids_many(
        list(lines.values()),
        k=ANN_PER_STATEMENT,
        category=request.category,
        exclude_ids=seen,
        ef_search=ANN_PER_STATEMENT,
    )
    nearest = dict(zip(lines, found, strict=True))
    stats = catalog_stats()
    members = {
        label: category_members(label, stats)
        for label in {s.label for p in persons for s in p.statements if s.label}
    }
    by_label = {}
    for label in {s.label for s in liked if s.label}:
        top = members[label][: LABEL_CANDIDATES + len(seen)]
        by_label[label] = top[~np.isin(top, seen)][:LABEL_CANDIDATES].tolist()
    owns = []
    for p in persons:
        own = set(shared[id(p.history)])
        for s in p.statements:
            if s.polarity == scoring.LIKE and s.weight > 0:
                own.update(nearest[s.text])
                own.update(by_label.get(s.label, ()))
        if not own:  # nothing known at all: start from what is popular
            popular_ids = popular() if popular_ids is None else popular_ids
            own.update(popular_ids)
        owns.append(own - p.history.seen.keys())
    item_ids, vectors, popularity = retrieval.item_vectors(
        sorted(set(extra_ids).union(*owns)), category=request.category
    )
    categories = {label: np.isin(item_ids, ids) for label, ids in members.items()}
    candidates = {
        id(history): scoring.Candidates(
            ids=item_ids,
            vectors=vectors,
            popularity=popularity,
            cf=np.array([collaborative[id(history)][0].get(int(i), 0.0) for i in item_ids]),
            cf_sources=collaborative[id(history)][1],
            categories=categories,
        )
        for history in histories
    }
    tables = [
        scoring.score_candidates(
            candidates[id(p.history)],
            p.statements,
            {h.item_id: h for h in p.history.positives},
            stats,
            p.settings,
        )
        for p in persons
    ]
    return tables, owns, model.pk if model else None


def _listed(
    person: _Person, table: scoring.ScoreTable, own: set[int], request: Request
) -> list[scoring.Recommendation]:
    """The person's list from their own candidates in ``table``."""
    others = [int(i) for i in table.candidates.ids if int(i) not in own]
    return scoring.rank(
        table,
        k=request.k,
        settings=person.settings,
        exclude_ids=[*person.history.seen, *others, *person.avoided],
    )


def _ranked(
    person: _Person, request: Request, extra_ids: Sequence[int] = ()
) -> tuple[scoring.ScoreTable, list[scoring.Recommendation], int | None]:
    (table,), (own,), model_id = _score([person], request, extra_ids)
    return table, _listed(person, table, own, request), model_id


def _served(listed: Sequence[scoring.Recommendation]) -> list[Served]:
    items = Item.objects.defer("embedding").in_bulk([r.scored.item_id for r in listed])
    return [Served(items[r.scored.item_id], r) for r in listed]


def recommend_for_user(
    *, user, request: Request = Request(), log: bool = True
) -> RecommendationList:
    """The person's list, best first, each item with its terms and rationale; logged."""
    started = time.perf_counter()
    person = _person(user, request)
    table, listed, model_id = _ranked(person, request)
    served = _served(listed)
    result = RecommendationList(
        profile_revision=person.profile.revision if person.profile else 0,
        settings=person.settings,
        items=served,
        milliseconds=(time.perf_counter() - started) * 1000,
        model_id=model_id,
    )
    return recommendations_log(user=user, request=request, listed=result) if log else result


def recommendations_log(
    *, user, request: Request, listed: RecommendationList
) -> RecommendationList:
    """Log a list as served (``RecommendationLog``); the list with its log id."""
    settings_ = listed.settings
    log_id = RecommendationLog.objects.create(
        user=user,
        profile_revision=listed.profile_revision,
        params={
            "k": request.k,
            "category": request.category,
            "personalised": settings_.personalised,
            "balance": settings_.balance,
            "diversity": settings_.diversity,
        },
        entries=[log_entry(s.recommendation) for s in listed.items],
        model_id=listed.model_id,
        milliseconds=round(listed.milliseconds, 2),
    ).pk
    return replace(listed, log_id=log_id)


@dataclass(frozen=True)
class Redrafted:
    """The person's list now and after a change (to their statements or their history)."""

    before: RecommendationList
    after: RecommendationList  # its profile_revision is the current one: nothing was saved
    current: list[StatementDraft]  # the statement list ``before`` was made from
    drafts: list[StatementDraft]  # the statement list ``after`` was made from


def recommend_redrafted(
    *,
    user,
    drafts: list[StatementDraft],
    request: Request = Request(),
    redraft: Callable[[list[scoring.Recommendation]], list[StatementDraft]] | None = None,
) -> Redrafted:
    """The list now and the list ``drafts`` would give, scored in one pass; nothing logged.

    Steering from a reason (engine.steering) shows both, and an action's
    effect is their difference. Scored together they share one read of the
    profile, the history, the trained neighbours, the candidates' vectors and
    one ANN round trip, which halves an action's time against two lists.
    Each list is still drawn from its own candidates, so ``after`` is exactly
    the list the saved drafts give on the next request.

    ``redraft``, when the drafts depend on the list now ("not this reason"
    names the items that quoted the line as its Avoids line's evidence),
    gets the current list and returns the final drafts. They may differ from
    ``drafts`` in evidence only: evidence never changes a score, only which
    items an Avoids line keeps out.
    """
    started = time.perf_counter()
    current = _person(user, request)
    changed = _person(user, request, drafts=drafts, base=current)
    return _before_and_after(current, changed, request, started=started, redraft=redraft)


def recommend_around(
    *, user, change: Callable[[], None], request: Request = Request()
) -> Redrafted:
    """The list before and after ``change`` writes the person's history, scored in one pass.

    "Don't use this item" and "change my rating" change what the collaborative
    term sees; the profile stays. ``change`` runs between reading the history
    and reading it again (inside the caller's transaction); nothing is logged.
    """
    started = time.perf_counter()
    current = _person(user, request)
    change()
    changed = replace(current, history=user_history(user.pk))
    return _before_and_after(current, changed, request, started=started)


def _before_and_after(
    current: _Person,
    changed: _Person,
    request: Request,
    *,
    started: float,
    redraft: Callable[[list[scoring.Recommendation]], list[StatementDraft]] | None = None,
) -> Redrafted:
    drafts = changed.drafts
    (now, table), (own_now, own_changed), model_id = _score([current, changed], request)
    before = _listed(current, now, own_now, request)
    if redraft is not None:
        drafts = redraft(before)
        personalised = changed.settings.personalised
        changed = replace(
            changed, drafts=drafts, avoided=_avoided_items(drafts) if personalised else {}
        )
    after = _listed(changed, table, own_changed, request)
    items = Item.objects.defer("embedding").in_bulk({r.scored.item_id for r in (*before, *after)})
    milliseconds = (time.perf_counter() - started) * 1000
    revision = current.profile.revision if current.profile else 0

    def listed(ranked: list[scoring.Recommendation], person: _Person) -> RecommendationList:
        return RecommendationList(
            profile_revision=revision,
            settings=person.settings,
            items=[Served(items[r.scored.item_id], r) for r in ranked],
            milliseconds=milliseconds,
            model_id=model_id,
        )

    return Redrafted(listed(before, current), listed(after, changed), current.drafts, drafts)


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


# --- Preview: what a draft profile would do, without saving it --------------


@dataclass(frozen=True)
class PreviewEntry:
    item: Item
    change: str  # entered, left, up, down, same
    before: int | None  # rank in the current list
    after: int | None  # rank in the draft's list
    cause: str | None  # the edited line that made the difference, as typed
    recommendation: scoring.Recommendation | None  # None for items that left


@dataclass(frozen=True)
class Preview:
    base_revision: int
    drafts: list[StatementDraft]  # how the draft text was understood
    items: list[PreviewEntry]  # the draft's list, in order
    left: list[PreviewEntry]  # items of the current list that the draft drops
    added_lines: list[str]  # lines new or changed in the draft
    removed_lines: list[str]  # lines of the current profile the draft drops


def _line_key(draft: StatementDraft) -> tuple[str, str, float]:
    return (draft.text, draft.polarity, draft.weight)


def recommendations_preview(*, user, text: str, request: Request = Request()) -> Preview:
    """Score the draft ``text`` as if saved, and compare with the current list.

    1. Parse the draft (same parser and limits as saving; errors name the
       line) and rank both the current profile and the draft. Nothing is
       written: new lines are encoded in memory, nothing is logged.
    2. For each item: entered, left, moved up/down or same.
    3. Name the edited line behind each change (see ``_own_cause``). An item
       pushed in or out only by other items' moves gets the cause of the
       first item that moved the other way.
    """
    drafts = profile_text_drafts(user=user, text=text)
    request = Request(
        k=request.k, category=request.category, personalised=True, diversity=request.diversity
    )
    current = _person(user, request)
    draft = _person(user, request, drafts=drafts, base=current)
    (now, table), (own_now, own_draft), _ = _score([current, draft], request)
    before = _listed(current, now, own_now, request)
    before_rank = {r.scored.item_id: r.rank for r in before}
    after = _listed(draft, table, own_draft, request)
    old_keys = {_line_key(d) for d in current.drafts}
    new_keys = {_line_key(d) for d in drafts}
    edit = _Edit(
        added=[d.text for d in drafts if _line_key(d) not in old_keys],
        removed=[d.text for d in current.drafts if _line_key(d) not in new_keys],
        before={r.scored.item_id: r.scored for r in before},
        after=table,
    )
    changes: list[tuple[int, str, int | None, int | None, scoring.Recommendation | None]] = []
    for recommendation in after:
        previous = before_rank.get(recommendation.scored.item_id)
        if previous is None:
            change = "entered"
        elif recommendation.rank == previous:
            change = "same"
        else:
            change = "up" if recommendation.rank < previous else "down"
        changes.append(
            (recommendation.scored.item_id, change, previous, recommendation.rank, recommendation)
        )
    listed_after = {change[0] for change in changes}
    changes += [
        (r.scored.item_id, "left", r.rank, None, None)
        for r in before
        if r.scored.item_id not in listed_after
    ]
    causes = {
        item_id: edit.own_cause(item_id, rising=change in RISING)
        for item_id, change, *_ in changes
        if change != "same"
    }
    first = {
        rising: next(
            (
                causes[i]
                for i, change, *_ in changes
                if change != "same" and (change in RISING) == rising and causes[i]
            ),
            None,
        )
        for rising in (True, False)
    }
    for item_id, change, *_ in changes:
        if change != "same" and causes[item_id] is None:
            causes[item_id] = first[change not in RISING]
    items = Item.objects.defer("embedding").in_bulk([change[0] for change in changes])
    entries = [
        PreviewEntry(items[item_id], change, previous, rank, causes.get(item_id), recommendation)
        for item_id, change, previous, rank, recommendation in changes
    ]
    return Preview(
        base_revision=current.profile.revision if current.profile else 0,
        drafts=drafts,
        items=[e for e in entries if e.change != "left"],
        left=[e for e in entries if e.change == "left"],
        added_lines=edit.added,
        removed_lines=edit.removed,
    )


RISING = ("entered", "up")


@dataclass(frozen=True)
class _Edit:
    added: list[str]  # line texts new (or changed) in the draft
    removed: list[str]  # line texts of the current profile gone from the draft
    before: dict[int, scoring.Scored]  # the current list, scored with the current profile
    after: scoring.ScoreTable  # candidates scored with the draft

    def own_cause(self, item_id: int, *, rising: bool) -> str | None:
        """The edited line that moved this item itself, if one did.

        Rising: an added line it now matches. Falling: an added "Avoids" line
        that removes or penalises it, else a removed line it used to match.
        """
        row = self.after.row_of(item_id)
        now = self.after.scored(row) if row is not None else None
        if rising:
            lines = [m.statement.text for m in now.matches] if now else []
            return next((line for line in lines if line in self.added), None)
        if now and now.avoided and now.avoided.statement.text in self.added:
            return now.avoided.statement.text
        old = self.before.get(item_id)
        lines = [m.statement.text for m in old.matches] if old else []
        return next((line for line in lines if line in self.removed), None)


# --- Why not this item? ------------------------------------------------------


@dataclass(frozen=True)
class WhyNot:
    item: Item
    absence: scoring.Absence


def why_not(*, user, item_id: int, request: Request = Request()) -> WhyNot:
    """Why ``item_id`` is not in the person's list, from the terms that ranked it."""
    item = Item.objects.defer("embedding").filter(pk=item_id, is_active=True).first()
    if item is None:
        raise ApplicationError(
            f"There is no item {item_id} in the catalog.", extra={"field": "item"}, status_code=404
        )
    person = _person(user, request)
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
    if request.category and request.category not in item.categories:
        return WhyNot(
            item,
            scoring.Absence("category", f"It is not in the category {request.category!r}."),
        )
    if not Item.objects.filter(pk=item.pk).exclude(embedding=None).exists():
        return WhyNot(
            item,
            scoring.Absence(
                "unavailable", "It has not been analysed yet; it can be recommended soon."
            ),
        )
    table, listed, _ = _ranked(person, request, extra_ids=[item.pk])
    return WhyNot(
        item,
        scoring.explain_absence(table, table.row_of(item.pk), listed, settings=person.settings),
    )
