"""A profile's statements: the draft they are handled as, and the one place they are written.

Nothing outside ``profiles.services`` writes statements: every change goes
through ``profile_edit`` (edits.py), which calls ``revision_write`` here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace

from django.db import transaction
from django.utils import timezone

from profiles.models import Profile, ProfileRevision, Statement
from profiles.parser import MAX_STATEMENTS, ParsedStatement, ProfileTextError
from profiles.signals import regeneration_requested, statements_changed
from recsite.errors import ApplicationError


class ProfileConflict(ApplicationError):
    """An edit was based on an older revision than the current one (HTTP 409)."""

    status_code = 409

    def __init__(self, *, base_revision: int, current_revision: int) -> None:
        super().__init__(
            "Your profile changed in the meantime (in another window, or written again "
            "from your ratings): reload it and apply your edit again.",
            extra={"base_revision": base_revision, "current_revision": current_revision},
        )


@dataclass(frozen=True)
class StatementDraft:
    """A statement about to be written; a revision stores a list of these."""

    text: str
    polarity: str
    weight: float
    embedded_text: str
    origin: str = Statement.Origin.USER
    pinned: bool = False
    evidence: tuple[int, ...] = ()
    grounding: float | None = None
    # The label the person chose for the line (Statement.concept): "" read
    # from its words, CONCEPT_OFF none.
    concept: str = ""

    @classmethod
    def from_parsed(cls, parsed: ParsedStatement, **fields) -> "StatementDraft":
        return cls(
            text=parsed.text,
            polarity=parsed.polarity,
            weight=parsed.weight,
            embedded_text=parsed.embedded_text,
            **fields,
        )

    @classmethod
    def of(cls, statement: Statement, evidence: Iterable[int]) -> "StatementDraft":
        """A stored statement as a draft, with its evidence item ids."""
        return cls(
            text=statement.text,
            polarity=statement.polarity,
            weight=statement.weight,
            embedded_text=statement.embedded_text,
            origin=statement.origin,
            pinned=statement.pinned,
            evidence=tuple(sorted(evidence)),
            grounding=statement.grounding,
            concept=statement.concept,
        )

    @classmethod
    def from_snapshot(cls, entry: dict) -> "StatementDraft":
        return cls(**{**entry, "evidence": tuple(entry.get("evidence", ()))})

    def snapshot(self) -> dict:
        return {**asdict(self), "evidence": list(self.evidence)}

    def parsed(self) -> ParsedStatement:
        return ParsedStatement(self.text, self.polarity, self.weight, self.embedded_text)


def same_statements(a: Sequence[StatementDraft], b: Sequence[StatementDraft]) -> bool:
    """Equal statement lists; evidence compared as a set (the database keeps no order)."""

    def key(draft: StatementDraft) -> StatementDraft:
        return replace(draft, evidence=tuple(sorted(draft.evidence)))

    return [key(d) for d in a] == [key(d) for d in b]


def profile_for(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_drafts(profile: Profile) -> list[StatementDraft]:
    """The profile's current statements as drafts, in order."""
    # Ids only: the evidence items' rows and the statements' vectors are not
    # part of a draft (a generated profile holds a hundred items).
    evidence: dict[int, list[int]] = {}
    for statement_id, item_id in Statement.evidence.through.objects.filter(
        statement__profile=profile
    ).values_list("statement_id", "item_id"):
        evidence.setdefault(statement_id, []).append(item_id)
    statements = profile.statements.defer("embedding", "centre").order_by("position")
    return [StatementDraft.of(s, evidence.get(s.pk, ())) for s in statements]


def revision_write(
    *, profile: Profile, drafts: Sequence[StatementDraft], cause: str, author, label: str = ""
) -> ProfileRevision:
    """Replace the statement list of a profile the caller has locked, as revision N+1.

    1. Replace the statements, reusing the vector of any statement whose
       embedded text is unchanged.
    2. Record the full list as the new revision and announce the change; the
       engine embeds new statements before the transaction commits, so the
       next recommendation already follows the edit.
    Only ``profile_edit`` calls this, inside its transaction and lock.
    """
    if len(drafts) > MAX_STATEMENTS:
        raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
    vectors = dict(
        profile.statements.exclude(embedding=None).values_list("embedded_text", "embedding")
    )
    profile.statements.all().delete()
    statements = Statement.objects.bulk_create(
        Statement(
            profile=profile,
            position=position,
            text=draft.text,
            polarity=draft.polarity,
            weight=draft.weight,
            origin=draft.origin,
            pinned=draft.pinned,
            embedded_text=draft.embedded_text,
            embedding=vectors.get(draft.embedded_text),
            grounding=draft.grounding,
            concept=draft.concept,
        )
        for position, draft in enumerate(drafts)
    )
    Statement.evidence.through.objects.bulk_create(
        Statement.evidence.through(statement_id=statement.pk, item_id=item_id)
        for statement, draft in zip(statements, drafts, strict=True)
        for item_id in draft.evidence
    )
    profile.revision += 1
    profile.save(update_fields=["revision", "updated_at"])
    revision = ProfileRevision.objects.create(
        profile=profile,
        number=profile.revision,
        cause=cause,
        author=author,
        statements=[draft.snapshot() for draft in drafts],
        label=label[:300],
    )
    statements_changed.send(sender=Profile, profile_id=profile.pk)
    return revision


def profile_settings_update(
    *, user, balance: float | None = None, personalised: bool | None = None
) -> Profile:
    """Change how recommendations use the profile; not a revision of its text.

    ``balance``: 1 follows only what the person wrote, 0 only what they did.
    ``personalised=False``: popular items only, profile and history unused.
    A value equal to the current one changes nothing.
    """
    fields = {}
    profile = profile_for(user)
    if balance is not None:
        if not 0 <= balance <= 1:
            raise ApplicationError("balance must be between 0 and 1.", extra={"field": "balance"})
        fields["balance"] = round(float(balance), 3)
    if personalised is not None:
        fields["personalised"] = bool(personalised)
    fields = {name: value for name, value in fields.items() if getattr(profile, name) != value}
    if fields:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(profile, name, value)
            profile.save(update_fields=[*fields, "updated_at"])
    return profile


def profile_request_regeneration(*, user) -> None:
    """Ask for a regeneration from the person's ratings now, even if not due yet.

    The request is stored (``Profile.regeneration_requested_at``) as well as
    queued: a task lost on the way (broker down, worker killed while the task
    waited to retry) is found by beat's catch-up, and the generation that
    completes after the request clears it.
    """
    with transaction.atomic():
        profile = profile_for(user)
        Profile.objects.filter(pk=profile.pk).update(regeneration_requested_at=timezone.now())
        regeneration_requested.send(sender=Profile, user_id=user.pk)


# The strength scale "more of this" and "less of this" step along; the
# parser's words sit on it: barely 0.2, a little 0.4, somewhat 0.6, strong 1.
# Below 0.2 a line would hardly count: taking it away is "not this reason".
STRENGTH_SCALE = (0.2, 0.4, 0.6, 0.8, 1.0)


def strength_step(weight: float, direction: int) -> float | None:
    """The next strength up (``direction`` 1) or down (-1) the scale; None past its end.

    A weight between steps (0.75 typed by hand) moves to the neighbouring step.
    """
    if direction > 0:
        return next((step for step in STRENGTH_SCALE if step > weight + 1e-9), None)
    return next((step for step in reversed(STRENGTH_SCALE) if step < weight - 1e-9), None)
