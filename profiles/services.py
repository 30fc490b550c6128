"""Writes to interactions (and the accounts imports create)."""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from profiles.importers import InteractionRow
from profiles.models import (
    RATING_MAX,
    RATING_MIN,
    ApiToken,
    Interaction,
    Profile,
    ProfileRevision,
    Statement,
)
from profiles.parser import (
    MAX_STATEMENT_LENGTH,
    MAX_STATEMENTS,
    ParsedStatement,
    ProfileTextError,
    parse_profile,
    parse_statement,
    render_profile,
)
from profiles.signals import (
    account_exporting,
    interactions_changed,
    regeneration_requested,
    statements_changed,
)
from recsite.errors import ApplicationError, ImportFileError

WRITE_BATCH = 5000
# Above this many changed items, listeners are told "everything changed"
# rather than handed a huge id list.
LISTED_CHANGES = 1000


@dataclass(frozen=True)
class InteractionImportSummary:
    interactions: int
    users_created: int


def _users_by_username(usernames: set[str]) -> tuple[dict[str, int], int]:
    """Ids of the accounts named ``usernames``, creating the missing ones.

    Imported people get inactive accounts without a usable password: they
    exist so their history counts, and cannot log in until an admin acts.
    """
    User = get_user_model()
    known = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    missing = sorted(usernames - known.keys())
    User.objects.bulk_create(
        [User(username=name, is_active=False, password=make_password(None)) for name in missing],
        batch_size=WRITE_BATCH,
    )
    if missing:
        known.update(User.objects.filter(username__in=missing).values_list("username", "id"))
    return known, len(missing)


def interactions_import(
    *,
    rows: Sequence[InteractionRow],
    on_progress: Callable[[int], None] | None = None,
) -> InteractionImportSummary:
    """Insert or update interactions, one transaction for the whole batch.

    1. Resolve item external ids; an unknown item aborts with its line.
    2. Resolve user names, creating inactive accounts for new ones.
    3. Keep one row per (user, item, kind): the latest by timestamp (later
       line on a tie), as re-rating replaces a rating.
    4. Upsert with INSERT ... ON CONFLICT, then announce the change.
    """
    now = timezone.now()
    with transaction.atomic():
        items = dict(
            Item.objects.filter(external_id__in={row.item for row in rows}).values_list(
                "external_id", "id"
            )
        )
        for row in rows:
            if row.item not in items:
                raise ImportFileError(
                    path=row.source,
                    line=row.line,
                    field="item",
                    problem=f"no item with external_id {row.item!r} in the catalog",
                )
        users, users_created = _users_by_username({row.user for row in rows})

        latest: dict[tuple[int, int, str], Interaction] = {}
        for row in rows:
            key = (users[row.user], items[row.item], row.kind)
            timestamp = row.timestamp or now
            previous = latest.get(key)
            if previous is None or timestamp >= previous.timestamp:
                latest[key] = Interaction(
                    user_id=key[0],
                    item_id=key[1],
                    kind=row.kind,
                    value=row.value,
                    timestamp=timestamp,
                )
        interactions = list(latest.values())
        for start in range(0, len(interactions), WRITE_BATCH):
            batch = interactions[start : start + WRITE_BATCH]
            Interaction.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["user", "item", "kind"],
                update_fields=["value", "timestamp"],
            )
            if on_progress:
                on_progress(len(batch))

        item_ids = sorted({interaction.item_id for interaction in interactions})
        user_ids = sorted({interaction.user_id for interaction in interactions})
        interactions_changed.send(
            sender=Interaction,
            user_ids=user_ids if len(user_ids) <= LISTED_CHANGES else None,
            item_ids=item_ids if len(item_ids) <= LISTED_CHANGES else None,
        )
    return InteractionImportSummary(interactions=len(interactions), users_created=users_created)


class ProfileConflict(ApplicationError):
    """An edit was based on an older revision than the current one (HTTP 409)."""

    status_code = 409

    def __init__(self, *, base_revision: int, current_revision: int) -> None:
        super().__init__(
            f"The profile changed since revision {base_revision} (it is now at revision "
            f"{current_revision}): reload it and apply your edit again.",
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
    def from_snapshot(cls, entry: dict) -> "StatementDraft":
        return cls(**{**entry, "evidence": tuple(entry.get("evidence", ()))})

    def snapshot(self) -> dict:
        return {**asdict(self), "evidence": list(self.evidence)}

    def parsed(self) -> ParsedStatement:
        return ParsedStatement(self.text, self.polarity, self.weight, self.embedded_text)


def profile_for(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_drafts(profile: Profile) -> list[StatementDraft]:
    """The profile's current statements as drafts, in order."""
    statements = profile.statements.prefetch_related("evidence").order_by("position")
    return [
        StatementDraft(
            text=s.text,
            polarity=s.polarity,
            weight=s.weight,
            embedded_text=s.embedded_text,
            origin=s.origin,
            pinned=s.pinned,
            evidence=tuple(sorted(item.pk for item in s.evidence.all())),
            grounding=s.grounding,
        )
        for s in statements
    ]


def profile_write(
    *, user, drafts: Sequence[StatementDraft], base_revision: int | None, cause: str
) -> ProfileRevision:
    """Replace the statement list as one new revision.

    1. Lock the profile; refuse (ProfileConflict) when ``base_revision`` is not
       the current revision: two edits from the same base never both land.
    2. Replace the statements, reusing the vector of any statement whose
       embedded text is unchanged.
    3. Record the full list as revision N+1 and announce the change; the
       engine embeds new statements before the transaction commits, so the
       next recommendation already follows the edit.
    ``base_revision=None`` is for the generator, which works under its own lock.
    """
    if len(drafts) > MAX_STATEMENTS:
        raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
    with transaction.atomic():
        profile_for(user)
        profile = Profile.objects.select_for_update().get(user=user)
        if base_revision is not None and base_revision != profile.revision:
            raise ProfileConflict(base_revision=base_revision, current_revision=profile.revision)
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
            author=None if cause == ProfileRevision.Cause.GENERATION else user,
            statements=[draft.snapshot() for draft in drafts],
        )
        statements_changed.send(sender=Profile, profile_id=profile.pk)
    return revision


def profile_text_drafts(*, user, text: str) -> list[StatementDraft]:
    """The statements ``text`` stands for, as they would be saved.

    A line that is unchanged (same text and polarity) keeps what the person
    cannot see in the text: where it came from, its pin, its evidence. Any
    other line is the person's own. Writes nothing (previews use it too).
    """
    parsed = parse_profile(text)
    profile = Profile.objects.filter(user=user).first()
    current = {(d.text, d.polarity): d for d in profile_drafts(profile)} if profile else {}
    drafts = []
    for statement in parsed:
        kept = current.get((statement.text, statement.polarity))
        if kept:
            drafts.append(replace(kept, weight=statement.weight))
        else:
            drafts.append(StatementDraft.from_parsed(statement))
    return drafts


def profile_write_text(*, user, text: str, base_revision: int) -> ProfileRevision:
    """Replace the profile with what the person typed (see profile_text_drafts)."""
    return profile_write(
        user=user,
        drafts=profile_text_drafts(user=user, text=text),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


def profile_undo(*, user, number: int, base_revision: int) -> ProfileRevision:
    """Bring back the statements of revision ``number``, as a new revision."""
    try:
        old = ProfileRevision.objects.get(profile__user=user, number=number)
    except ProfileRevision.DoesNotExist:
        raise ApplicationError(
            f"There is no revision {number} of this profile.", extra={"field": "revision"}
        ) from None
    valid_items = set(Item.objects.values_list("id", flat=True))
    drafts = [
        replace(d, evidence=tuple(i for i in d.evidence if i in valid_items))
        for d in map(StatementDraft.from_snapshot, old.statements)
    ]
    return profile_write(
        user=user, drafts=drafts, base_revision=base_revision, cause=ProfileRevision.Cause.UNDO
    )


def revision_drafts(*, user, number: int) -> list[StatementDraft]:
    """The statements of revision ``number``, as restoring it would write them (not saved).

    Evidence items deleted from the catalog since are left out; only the
    revision's own evidence ids are looked up.
    """
    old = ProfileRevision.objects.filter(profile__user=user, number=number).first()
    if old is None:
        raise ApplicationError(
            f"There is no revision {number} of this profile.", extra={"field": "revision"}
        )
    drafts = [StatementDraft.from_snapshot(entry) for entry in old.statements]
    cited = {item_id for draft in drafts for item_id in draft.evidence}
    existing = set(Item.objects.filter(pk__in=cited).values_list("pk", flat=True))
    return [replace(d, evidence=tuple(i for i in d.evidence if i in existing)) for d in drafts]


def profile_settings_update(
    *, user, balance: float | None = None, personalised: bool | None = None
) -> Profile:
    """Change how recommendations use the profile; not a revision of its text.

    ``balance``: 1 follows only what the person wrote, 0 only what they did.
    ``personalised=False``: popular items only, profile and history unused.
    """
    fields = {}
    if balance is not None:
        if not 0 <= balance <= 1:
            raise ApplicationError("balance must be between 0 and 1.", extra={"field": "balance"})
        fields["balance"] = round(float(balance), 3)
    if personalised is not None:
        fields["personalised"] = bool(personalised)
    profile = profile_for(user)
    if fields:
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save(update_fields=[*fields, "updated_at"])
    return profile


def _current_drafts(*, user, base_revision: int | None) -> list[StatementDraft]:
    """The profile's statements, refusing (409) an edit based on an older revision.

    profile_write checks again under its lock; checking here too lets a
    preview of a stale edit fail the same way its save would.
    """
    profile = profile_for(user)
    if base_revision is not None and base_revision != profile.revision:
        raise ProfileConflict(base_revision=base_revision, current_revision=profile.revision)
    return profile_drafts(profile)


def _statement_at(drafts: list[StatementDraft], position: int) -> StatementDraft:
    if not 0 <= position < len(drafts):
        raise ApplicationError(
            f"The profile has no statement {position}.",
            extra={"field": "position"},
            status_code=404,
        )
    return drafts[position]


def statement_edit_drafts(
    *,
    user,
    position: int,
    base_revision: int | None = None,
    text: str | None = None,
    polarity: str | None = None,
    weight: float | None = None,
    pinned: bool | None = None,
) -> list[StatementDraft]:
    """The statement list with one statement changed, not saved (see profile_statement_update)."""
    drafts = _current_drafts(user=user, base_revision=base_revision)
    draft = _statement_at(drafts, position)
    if polarity is not None and polarity not in Statement.Polarity.values:
        raise ApplicationError("polarity must be like or avoid.", extra={"field": "polarity"})
    if weight is not None and not 0 <= weight <= 1:
        raise ApplicationError("weight must be between 0 and 1.", extra={"field": "weight"})
    if text is not None and text.strip() != draft.text:
        # splitlines, not "\n": \r, \u2028 and the like end a line in the editor too.
        if len(text.splitlines()) > 1 or len(text.strip()) > MAX_STATEMENT_LENGTH:
            raise ProfileTextError(
                f"a statement is one line of at most {MAX_STATEMENT_LENGTH} characters", 1
            )
        parsed = parse_statement(text, polarity or draft.polarity)
        if parsed is None:
            raise ProfileTextError("the statement is empty", 1)
        draft = StatementDraft.from_parsed(parsed, pinned=draft.pinned)
    elif polarity is not None and polarity != draft.polarity:
        draft = replace(draft, polarity=polarity, origin=Statement.Origin.USER)
    if weight is not None:
        draft = replace(draft, weight=round(float(weight), 2))
    if pinned is not None:
        draft = replace(draft, pinned=bool(pinned))
    drafts[position] = draft
    return drafts


def profile_statement_update(
    *,
    user,
    position: int,
    base_revision: int,
    text: str | None = None,
    polarity: str | None = None,
    weight: float | None = None,
    pinned: bool | None = None,
) -> ProfileRevision:
    """Change one statement (its text, polarity, strength or pin) as a new revision.

    New text goes through the same parser and limits as the editor, read in
    the statement's section (or the new ``polarity``): "not into X" typed on
    a "Likes" line becomes an "Avoids" line. Changed words make the line the
    person's own; a changed strength or pin keeps its origin and evidence.
    """
    drafts = statement_edit_drafts(
        user=user, position=position, text=text, polarity=polarity, weight=weight, pinned=pinned
    )
    return profile_write(
        user=user, drafts=drafts, base_revision=base_revision, cause=ProfileRevision.Cause.EDIT
    )


def statement_delete_drafts(
    *, user, position: int, base_revision: int | None = None
) -> list[StatementDraft]:
    """The statement list without one statement, not saved."""
    drafts = _current_drafts(user=user, base_revision=base_revision)
    _statement_at(drafts, position)
    del drafts[position]
    return drafts


def profile_statement_delete(*, user, position: int, base_revision: int) -> ProfileRevision:
    """Remove one statement as a new revision (undo brings it back)."""
    return profile_write(
        user=user,
        drafts=statement_delete_drafts(user=user, position=position),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


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


def statement_strength_drafts(
    *, user, position: int, direction: int, base_revision: int | None = None
) -> list[StatementDraft]:
    """The statement list with one statement a step stronger (1) or weaker (-1), not saved."""
    drafts = _current_drafts(user=user, base_revision=base_revision)
    draft = _statement_at(drafts, position)
    weight = strength_step(draft.weight, direction)
    if weight is None:
        end = "strongest" if direction > 0 else "weakest"
        raise ApplicationError(
            f"“{draft.text}” is already at the {end} strength ({draft.weight:g})."
            + ("" if direction > 0 else " To stop using it, remove it or make it an Avoids line."),
            extra={"field": "action"},
        )
    # A strength is not words: the line keeps its origin, evidence and pin.
    drafts[position] = replace(draft, weight=weight)
    return drafts


def profile_statement_strength(
    *, user, position: int, direction: int, base_revision: int
) -> ProfileRevision:
    """More of this (1) or less of this (-1) on one statement, as a new revision."""
    return profile_write(
        user=user,
        drafts=statement_strength_drafts(user=user, position=position, direction=direction),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


def statement_avoid_drafts(
    *, user, position: int, evidence: Sequence[int] = (), base_revision: int | None = None
) -> list[StatementDraft]:
    """The statement list with one "Likes" line turned into an "Avoids" line, not saved.

    ``evidence``: the items the line was the reason for (those the person
    saw it quoted on). They become the Avoids line's evidence, which keeps
    them out of the list while the line stands (engine.recommend).
    """
    drafts = _current_drafts(user=user, base_revision=base_revision)
    if _statement_at(drafts, position).polarity == Statement.Polarity.AVOID:
        raise ApplicationError(
            f"Statement {position} is an Avoids line already.", extra={"field": "position"}
        )
    drafts = statement_edit_drafts(user=user, position=position, polarity=Statement.Polarity.AVOID)
    drafts[position] = replace(drafts[position], evidence=tuple(sorted(set(evidence))))
    return drafts


def profile_statement_avoid(
    *, user, position: int, base_revision: int, evidence: Sequence[int] = ()
) -> ProfileRevision:
    """Not this reason: a "Likes" line becomes an "Avoids" line, as a new revision."""
    return profile_write(
        user=user,
        drafts=statement_avoid_drafts(user=user, position=position, evidence=evidence),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


def statement_pin_drafts(
    *, user, position: int, pinned: bool, base_revision: int | None = None
) -> list[StatementDraft]:
    """The statement list with one statement pinned (kept through regeneration) or not."""
    return statement_edit_drafts(
        user=user, position=position, pinned=pinned, base_revision=base_revision
    )


def profile_statement_pin(*, user, position: int, pinned: bool, base_revision: int):
    """Pin a statement so regeneration keeps it (or unpin it), as a new revision."""
    return profile_write(
        user=user,
        drafts=statement_pin_drafts(user=user, position=position, pinned=pinned),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


def statement_explain_drafts(
    *, user, item_id: int, text: str, base_revision: int | None = None
) -> list[StatementDraft]:
    """The statement list with a line the person typed about an item, the item its evidence.

    "Say why you like this" on a recommendation that matched none of their
    lines: the same parser and limits as the editor, read as a "Likes" line
    (a typed negation still makes it an "Avoids" line).
    """
    drafts = _current_drafts(user=user, base_revision=base_revision)
    item = Item.objects.filter(pk=item_id, is_active=True).only("pk").first()
    if item is None:
        raise ApplicationError(
            f"There is no item {item_id} in the catalog.", extra={"field": "item"}, status_code=404
        )
    text = text or ""
    if len(text.splitlines()) > 1 or len(text.strip()) > MAX_STATEMENT_LENGTH:
        raise ProfileTextError(
            f"a statement is one line of at most {MAX_STATEMENT_LENGTH} characters", 1
        )
    parsed = parse_statement(text, Statement.Polarity.LIKE)
    if parsed is None:
        raise ProfileTextError("say in a few words what you like about it", 1)
    if len(drafts) >= MAX_STATEMENTS:
        raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
    same = next(
        (n for n, d in enumerate(drafts) if (d.text, d.polarity) == (parsed.text, parsed.polarity)),
        None,
    )
    if same is not None:
        # The line is there already: the item becomes more of its evidence.
        drafts[same] = replace(
            drafts[same], evidence=tuple(sorted({*drafts[same].evidence, item.pk}))
        )
    else:
        drafts.append(StatementDraft.from_parsed(parsed, evidence=(item.pk,)))
    return drafts


def profile_explain_item(*, user, item_id: int, text: str, base_revision: int) -> ProfileRevision:
    """Add the person's own reason for liking an item, with the item as evidence."""
    return profile_write(
        user=user,
        drafts=statement_explain_drafts(user=user, item_id=item_id, text=text),
        base_revision=base_revision,
        cause=ProfileRevision.Cause.EDIT,
    )


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


EXPORT_VERSION = 1


def profile_export(*, user) -> dict:
    """The profile as JSON-ready data (statements with their evidence by external id)."""
    profile = profile_for(user)
    drafts = profile_drafts(profile)
    external = dict(
        Item.objects.filter(id__in={i for d in drafts for i in d.evidence}).values_list(
            "id", "external_id"
        )
    )
    return {
        "format": "recsite-profile",
        "version": EXPORT_VERSION,
        "revision": profile.revision,
        "balance": profile.balance,
        "text": render_profile([d.parsed() for d in drafts]),
        "statements": [
            {
                "text": d.text,
                "polarity": d.polarity,
                "weight": d.weight,
                "origin": d.origin,
                "pinned": d.pinned,
                "evidence": [external[i] for i in d.evidence if i in external],
            }
            for d in drafts
        ],
    }


def profile_import(*, user, data: dict | str, base_revision: int) -> ProfileRevision:
    """Replace the profile from an export (JSON data) or from profile text.

    Everything goes through the same parser and limits as typing: each
    statement's text is parsed again, so a hand-edited export cannot smuggle
    in a polarity its words contradict.
    """
    if isinstance(data, str):
        drafts = [StatementDraft.from_parsed(p) for p in parse_profile(data)]
    else:
        entries = data.get("statements") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ApplicationError(
                "Expected an exported profile: an object with a list of statements.",
                extra={"field": "statements"},
            )
        text = render_profile(
            [_imported_statement(number, entry) for number, entry in enumerate(entries, 1)]
        )
        parsed = parse_profile(text)
        external_ids = {e for entry in entries for e in entry.get("evidence", [])}
        items = dict(
            Item.objects.filter(external_id__in=external_ids).values_list("external_id", "id")
        )
        drafts = [
            StatementDraft.from_parsed(
                statement,
                origin=Statement.Origin.USER,
                pinned=bool(entry.get("pinned", False)),
                evidence=tuple(sorted(items[e] for e in entry.get("evidence", []) if e in items)),
            )
            for statement, entry in zip(parsed, entries, strict=True)
        ]
    return profile_write(
        user=user, drafts=drafts, base_revision=base_revision, cause=ProfileRevision.Cause.IMPORT
    )


def _imported_statement(number: int, entry) -> ParsedStatement:
    problem = None
    if not isinstance(entry, dict):
        problem = "is not an object"
    elif (
        not isinstance(entry.get("text"), str)
        or not entry["text"].strip()
        or len(entry["text"].splitlines()) > 1
    ):
        problem = "needs a one-line text"
    elif entry.get("polarity", "like") not in Statement.Polarity.values:
        problem = "has a polarity other than like or avoid"
    elif (
        not isinstance(entry.get("weight", 1.0), int | float)
        or not 0 <= entry.get("weight", 1.0) <= 1
    ):
        problem = "has a weight outside 0-1"
    elif not isinstance(entry.get("evidence", []), list) or not all(
        isinstance(external_id, str) for external_id in entry.get("evidence", [])
    ):
        problem = "has evidence that is not a list of item ids"
    if problem:
        raise ApplicationError(
            f"Statement {number} {problem}.", extra={"field": "statements", "index": number}
        )
    return ParsedStatement(
        text=entry["text"].strip(),
        polarity=entry.get("polarity", "like"),
        weight=round(float(entry.get("weight", 1.0)), 2),
        embedded_text="",
    )


# --- Interactions one at a time (website buttons, API) ----------------------

# A like, a dislike and "not interested" answer the same question; giving
# one withdraws the others. A rating and views stand on their own.
REACTIONS = {Interaction.Kind.LIKE, Interaction.Kind.DISLIKE, Interaction.Kind.NOT_INTERESTED}


def interaction_record(*, user, item: Item, kind: str, value: float | None = None) -> Interaction:
    """Rate, like, dislike, mark not interested or view ``item``; again replaces.

    Announced like an import, so popularity, the profile and the
    collaborative model catch up in the background.
    """
    if kind not in Interaction.Kind.values:
        raise ApplicationError(
            f"kind must be one of {', '.join(Interaction.Kind.values)}.", extra={"field": "kind"}
        )
    if kind == Interaction.Kind.RATING:
        if value is None or not RATING_MIN <= value <= RATING_MAX or (value * 2) % 1:
            raise ApplicationError(
                f"A rating is {RATING_MIN:g} to {RATING_MAX:g} stars in half stars.",
                extra={"field": "value"},
            )
    elif value is not None:
        raise ApplicationError("Only a rating has a value.", extra={"field": "value"})
    if not item.is_active:
        raise ApplicationError("This item is no longer in the catalog.", extra={"field": "item"})
    with transaction.atomic():
        if kind in REACTIONS:
            Interaction.objects.filter(user=user, item=item, kind__in=REACTIONS - {kind}).delete()
        interaction, _ = Interaction.objects.update_or_create(
            user=user, item=item, kind=kind, defaults={"value": value, "timestamp": timezone.now()}
        )
        interactions_changed.send(sender=Interaction, user_ids=[user.pk], item_ids=[item.pk])
    return interaction


def interaction_update(*, user, interaction_id: int, value: float | None) -> Interaction:
    """Change the value of one of the person's own interactions (a rating's stars)."""
    interaction = (
        Interaction.objects.select_related("item")
        .defer("item__embedding")
        .filter(user=user, pk=interaction_id)
        .first()
    )
    if interaction is None:
        raise ApplicationError(
            "You have no such interaction.", extra={"field": "id"}, status_code=404
        )
    return interaction_record(user=user, item=interaction.item, kind=interaction.kind, value=value)


def interaction_delete(*, user, interaction_id: int) -> None:
    """Withdraw one of the person's own interactions (someone else's is "not found")."""
    with transaction.atomic():
        interaction = Interaction.objects.filter(user=user, pk=interaction_id).first()
        if interaction is None:
            raise ApplicationError(
                "You have no such interaction.", extra={"field": "id"}, status_code=404
            )
        interaction.delete()
        interactions_changed.send(
            sender=Interaction, user_ids=[user.pk], item_ids=[interaction.item_id]
        )


def interaction_exclude(*, user, item_id: int, excluded: bool = True) -> int:
    """Leave an item out of the person's history signal (or bring it back).

    Every row the person has for the item is marked, so a later rating of
    it does not quietly bring it back; nothing is deleted, and the item is
    still never recommended to them again. Returns how many rows changed.
    """
    with transaction.atomic():
        rows = Interaction.objects.filter(user=user, item_id=item_id).exclude(
            kind=Interaction.Kind.VIEW
        )
        if not rows.exists():
            raise ApplicationError(
                "You have not rated or liked that item.", extra={"field": "item"}, status_code=404
            )
        changed = rows.exclude(excluded=excluded).update(excluded=excluded)
        if changed:
            interactions_changed.send(sender=Interaction, user_ids=[user.pk], item_ids=[item_id])
    return changed


def interaction_rating_change(*, user, item_id: int, value: float | None) -> Interaction | None:
    """Set (or with None take back) the person's rating of an item they already have in their
    history; "change my rating" on a reason that names it. Returns the rating, if any."""
    item = Item.objects.defer("embedding").filter(pk=item_id).first()
    if item is None or not Interaction.objects.filter(user=user, item=item).exists():
        raise ApplicationError(
            "You have not rated or liked that item.", extra={"field": "item"}, status_code=404
        )
    if value is None:
        rating = Interaction.objects.filter(user=user, item=item, kind=Interaction.Kind.RATING)
        rating_id = rating.values_list("pk", flat=True).first()
        if rating_id:
            interaction_delete(user=user, interaction_id=rating_id)
        return None
    excluded = Interaction.objects.filter(user=user, item=item, excluded=True).exists()
    interaction = interaction_record(
        user=user, item=item, kind=Interaction.Kind.RATING, value=value
    )
    if excluded and not interaction.excluded:
        # A left-out item stays left out when its rating changes.
        Interaction.objects.filter(pk=interaction.pk).update(excluded=True)
        interaction.excluded = True
    return interaction


# --- API tokens --------------------------------------------------------------

MAX_TOKENS = 20


def _key_hash(key: str) -> str:
    # The key carries 256 random bits, so a plain (fast) hash is enough: there
    # is nothing to brute-force, unlike a password.
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a key for a client app; returns the token and the key, shown only now."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(
            "Give the key a name of 1 to 100 characters.", extra={"field": "name"}
        )
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS:
        raise ApplicationError(
            f"You already have {MAX_TOKENS} keys; revoke one first.", extra={"field": "name"}
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_key_hash(key))
    return token, key


def token_revoke(*, user, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApplicationError("You have no such key.", extra={"field": "id"}, status_code=404)


def token_user(key: str):
    """The active account a key belongs to, or None; notes when it was last used."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute per key, not one per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- The account as a whole ------------------------------------------------------


def account_export(*, user) -> dict:
    """Everything stored about the person, as JSON-ready data.

    Other apps add what they keep (the engine: served lists) by answering
    the ``account_exporting`` signal with a dict of sections.
    """
    interactions = (
        Interaction.objects.filter(user=user).select_related("item").order_by("timestamp")
    )
    revisions = ProfileRevision.objects.filter(profile__user=user).order_by("number")
    data = {
        "format": "recsite-account",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        },
        "interactions": [
            {
                "item": i.item.external_id,
                "title": i.item.title,
                "kind": i.kind,
                "value": i.value,
                "timestamp": i.timestamp.isoformat(),
            }
            for i in interactions
        ],
        "profile": profile_export(user=user),
        "revisions": [
            {
                "number": r.number,
                "cause": r.cause,
                "created_at": r.created_at.isoformat(),
                "statements": r.statements,
            }
            for r in revisions
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in ApiToken.objects.filter(user=user)
        ],
    }
    for _, sections in account_exporting.send(sender=ApiToken, user=user):
        data.update(sections or {})
    return data


def account_delete(*, user) -> None:
    """Delete the account and everything that is the person's.

    Interactions, profile, statements, revisions, keys and (through the
    engine's foreign keys) served-list logs go with the user row. Popularity
    and the profiles' neighbours are recomputed from what remains.
    """
    with transaction.atomic():
        item_ids = list(Interaction.objects.filter(user=user).values_list("item_id", flat=True))
        user.delete()
        if item_ids:
            interactions_changed.send(
                sender=Interaction,
                user_ids=[],
                item_ids=item_ids if len(item_ids) <= LISTED_CHANGES else None,
            )
