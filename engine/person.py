"""What scoring needs to know about one person: their history, their lines as
vectors, their settings. Read once per request (or once for both lists of a
preview) and handed to engine.candidates and engine.scoring.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings

from catalog.models import Item
from engine import concepts, retrieval, scoring
from engine.catalog_cache import catalog_stats, line_neighbours, tag_index
from engine.encoder import get_encoder
from profiles.models import DEFAULT_BALANCE, Interaction, Profile, Statement
from profiles.services import StatementDraft
from recsite.errors import ApplicationError

MAX_K = 100
# Positives read per person, the most recent: older ones count little anyway
# (scoring.RECENCY_HALF_LIFE_DAYS), and a person with 5,000 ratings stays fast.
MAX_HISTORY = 1000
# What a person has done with an item that keeps it out of their list.
SEEN_KINDS = [
    Interaction.Kind.RATING,
    Interaction.Kind.LIKE,
    Interaction.Kind.DISLIKE,
    Interaction.Kind.NOT_INTERESTED,
]


@dataclass(frozen=True)
class ListOptions:
    """What a list is asked for (not an HTTP request): its length, a category, overrides."""

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


def user_history(user_id: int, profile: Profile | None = None) -> History:
    """What the person did: every item they have seen, and their positives.

    Positives are weighted by stars and age (scoring.history_strength); at
    most MAX_HISTORY of them, the most recent. One is free history (counts
    on its own when no line claims it) unless the profile writer placed it in
    a line: then it counts through that line, or not at all once the person
    deleted the line. One rated since the profile was written is free.
    """
    rows = list(
        Interaction.objects.filter(user_id=user_id, kind__in=SEEN_KINDS)
        .order_by("-timestamp", "-id")
        .values_list("item_id", "kind", "value", "item__title", "excluded", "timestamp")
    )
    # An item the person left out ("don't use this item") is still seen, never
    # recommended back, but neither pulls items in nor is named as a reason.
    excluded = {row[0] for row in rows if row[4]}
    latest = rows[0][5] if rows else None
    if profile is None:
        profile = Profile.objects.filter(user_id=user_id).first()
    placed = set(profile.placed_items) if profile and profile.generated_at else set()
    seen: dict[int, str] = {}
    positives: list[scoring.HistoryItem] = []
    positive_ids: set[int] = set(excluded)
    for item_id, kind, value, title, _, timestamp in rows:
        seen.setdefault(item_id, _action(kind, value))
        positive = kind == Interaction.Kind.LIKE or (
            kind == Interaction.Kind.RATING and value is not None and value >= 4
        )
        if positive and item_id not in positive_ids and len(positives) < MAX_HISTORY:
            positive_ids.add(item_id)
            age_days = (latest - timestamp).total_seconds() / 86400
            free = item_id not in placed or timestamp > profile.generated_at
            positives.append(
                scoring.HistoryItem(
                    item_id,
                    title,
                    _action(kind, value),
                    scoring.history_strength(kind, value, age_days),
                    free=free,
                )
            )
    return History(seen=seen, positives=positives)


def group_centres(
    groups: Sequence[tuple[int, ...]], known: Mapping[tuple[int, ...], np.ndarray]
) -> dict[tuple[int, ...], np.ndarray]:
    """The centre (L2-normalised mean vector) of each group not in ``known``,
    read in one query; a group none of whose items has a vector has none."""
    wanted = [g for g in dict.fromkeys(groups) if g and g not in known]
    if not wanted:
        return {}
    ids, vectors, _ = retrieval.item_vectors(sorted({i for g in wanted for i in g}))
    row = {int(item): n for n, item in enumerate(ids)}
    found = {}
    for group in wanted:
        rows = [row[i] for i in group if i in row]
        if rows:
            centre = np.asarray(vectors[rows], dtype=np.float64).mean(axis=0)
            found[group] = centre / (np.linalg.norm(centre) or 1.0)
    return found


def statement_vectors(
    drafts: Sequence[StatementDraft],
    known: dict[str, np.ndarray],
    stats: scoring.CatalogStats | None = None,
    centres: Mapping[tuple[int, ...], np.ndarray] | None = None,
) -> list[scoring.ProfileStatement]:
    """Drafts as scoring input; texts without a stored vector are encoded here.

    With ``stats`` each line is labelled with the categories or common tags
    it acts on (engine.concepts.acting_labels: both of "jazz and blues").
    ``centres`` gives a line the centre of its group, by the
    group's members (a line with members whose centre is not known yet gets
    it from its members' vectors here). A line the person wrote whose words
    no longer describe its group acts by its words alone (scoring.detached).
    """
    missing = [d.embedded_text for d in drafts if d.embedded_text not in known]
    if missing:
        encoded = get_encoder().encode_cached(missing)
        known = {**known, **dict(zip(missing, encoded, strict=True))}
    centres = {**(centres or {}), **group_centres([d.evidence for d in drafts], centres or {})}
    # The label each line acts on: the person's choice, else what its words name.
    tags = tag_index(stats) if stats else {}
    # A line whose words name no label may still read one from its nearest items.
    nearest = line_neighbours(stats) if stats else None
    labels = [
        concepts.acting_labels(d, stats.categories if stats else {}, tags, nearest) for d in drafts
    ]
    found = []
    for position, draft in enumerate(drafts):
        vector = np.asarray(known[draft.embedded_text], dtype=np.float32)
        centre = centres.get(draft.evidence)
        members = draft.evidence
        own = draft.origin == Statement.Origin.USER
        if own and centre is not None and stats and scoring.detached(vector, centre, stats):
            members, centre = (), None
        found.append(
            scoring.ProfileStatement(
                key=position,
                text=draft.text,
                polarity=draft.polarity,
                weight=draft.weight,
                vector=vector,
                labels=labels[position],
                members=members,
                centre=None if centre is None else np.asarray(centre, dtype=np.float64),
                own=own,
            )
        )
    return found


def _stored_statements(
    profile: Profile | None,
) -> tuple[list[StatementDraft], dict[str, np.ndarray], dict[tuple[int, ...], np.ndarray]]:
    """The profile's statements with their evidence, their stored vectors (by
    embedded text) and their groups' centres (by members), in two queries."""
    if profile is None:
        return [], {}, {}
    rows = Statement.objects.filter(profile=profile).order_by("position")
    evidence: dict[int, list[int]] = {}
    for position, item_id in Statement.evidence.through.objects.filter(
        statement__profile=profile
    ).values_list("statement__position", "item_id"):
        evidence.setdefault(position, []).append(item_id)
    drafts, known, centres = [], {}, {}
    for statement in rows:
        drafts.append(StatementDraft.of(statement, evidence.get(statement.position, ())))
        if statement.embedding is not None:
            known[statement.embedded_text] = statement.embedding
        if statement.centre is not None:
            centres[drafts[-1].evidence] = np.asarray(statement.centre, dtype=np.float64)
    return drafts, known, centres


def avoided_items(drafts: Sequence[StatementDraft]) -> dict[int, str]:
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


def with_named(history: History, drafts: Sequence[StatementDraft]) -> History:
    """``history`` with the items the person's own "Likes" lines stand for, as loved.

    A typed line that names an item's title has that item as its evidence
    (profiles.services.titles): the person said they loved it, so it counts
    as a 5-star rating would, a positive that line's group claims (its
    neighbours pulled in, the line quoted), and it is seen: never listed
    back. Read as a line's own group instead (its item plus what its words
    find), a newcomer's two loved titles gave 0.72x popular on MovieLens and
    1.10x on Amazon; as history 0.94x and 1.21x (docs/EVALUATION.md).
    One query, only when such a line exists.
    """
    named = {
        item_id: f"you named it in your line “{draft.text}”"
        for draft in drafts
        if draft.origin == Statement.Origin.USER and draft.polarity == Statement.Polarity.LIKE
        for item_id in draft.evidence
        if item_id not in history.seen
    }
    if not named:
        return history
    titles = dict(Item.objects.filter(pk__in=named).values_list("pk", "title"))
    loved = [
        scoring.HistoryItem(item_id, titles[item_id], action, 1.0)
        for item_id, action in named.items()
        if item_id in titles
    ]
    return replace(history, seen={**history.seen, **named}, positives=[*loved, *history.positives])


@dataclass(frozen=True)
class Person:
    profile: Profile | None
    drafts: list[StatementDraft]
    statements: list[scoring.ProfileStatement]
    history: History
    settings: scoring.Settings
    known_vectors: dict[str, np.ndarray]  # stored statement vectors by embedded text
    centres: dict[tuple[int, ...], np.ndarray]  # stored group centres by members
    avoided: dict[int, str]  # item id -> the "Avoids" line that names it as evidence


def person_read(
    user,
    options: ListOptions,
    drafts: list[StatementDraft] | None = None,
    base: "Person | None" = None,
    history: "History | None" = None,
) -> Person:
    """Everything scoring needs about the person; ``drafts`` replace their statements.

    With ``base`` (the same person, read already) only the statements are new:
    a preview reads the profile and history once for both of its lists.
    ``history`` replaces theirs (read before a change to it).
    """
    profile = base.profile if base else Profile.objects.filter(user=user).first()
    if base is None:
        stored, known, centres = _stored_statements(profile)
    else:
        stored, known, centres = [], base.known_vectors, base.centres
    if drafts is None:
        drafts = stored
    personalised = options.personalised
    if personalised is None:
        personalised = profile.personalised if profile else True
    diversity = settings.RECOMMEND_DIVERSITY if options.diversity is None else options.diversity
    # Lines that name a catalog category act on its label too (engine.scoring).
    stats = catalog_stats() if personalised and drafts else None
    return Person(
        profile=profile,
        drafts=drafts,
        statements=statement_vectors(drafts, known, stats, centres) if personalised else [],
        history=with_named(
            history or (base.history if base else user_history(user.pk, profile)), drafts
        ),
        settings=scoring.Settings(
            balance=profile.balance if profile else DEFAULT_BALANCE,
            diversity=diversity if personalised else 0.0,
            personalised=personalised,
        ),
        known_vectors=known,
        centres=centres,
        avoided=avoided_items(drafts) if personalised else {},
    )
