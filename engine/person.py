"""What scoring needs to know about one person: their history, their lines as
vectors, their settings. Read once per request (or once for both lists of a
preview) and handed to engine.candidates and engine.scoring.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.conf import settings

from engine import scoring
from engine.catalog_cache import catalog_stats
from engine.encoder import get_encoder
from profiles.models import Interaction, Profile, Statement
from profiles.services import StatementDraft
from recsite.errors import ApplicationError

MAX_K = 100
RECENT_POSITIVES = 50
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


def statement_vectors(
    drafts: Sequence[StatementDraft],
    known: dict[str, np.ndarray],
    categories: Mapping[str, str] | None = None,
) -> list[scoring.ProfileStatement]:
    """Drafts as scoring input; texts without a stored vector are encoded here.

    ``categories`` (``CatalogStats.categories``) labels each line whose
    embedded text names a catalog category.
    """
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
        # An "Avoids" line's evidence is never listed (see avoided_items):
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


@dataclass(frozen=True)
class Person:
    profile: Profile | None
    drafts: list[StatementDraft]
    statements: list[scoring.ProfileStatement]
    history: History
    settings: scoring.Settings
    known_vectors: dict[str, np.ndarray]  # stored statement vectors by embedded text
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
    stored, known = _stored_statements(profile) if base is None else ([], base.known_vectors)
    if drafts is None:
        drafts = stored
    personalised = options.personalised
    if personalised is None:
        personalised = profile.personalised if profile else True
    diversity = settings.RECOMMEND_DIVERSITY if options.diversity is None else options.diversity
    # Lines that name a catalog category act on its label too (engine.scoring).
    categories = catalog_stats().categories if personalised and drafts else None
    return Person(
        profile=profile,
        drafts=drafts,
        statements=statement_vectors(drafts, known, categories) if personalised else [],
        history=history or (base.history if base else user_history(user.pk)),
        settings=scoring.Settings(
            balance=profile.balance if profile else 0.5,
            diversity=diversity if personalised else 0.0,
            personalised=personalised,
        ),
        known_vectors=known,
        avoided=avoided_items(drafts) if personalised else {},
    )
