"""Steering from a recommendation's reason: the controls on each quoted line and history part.

One entry point, ``steer``, serves the website and the API alike. An action
names what it changes the way the rationale shows it:

- a profile line by its ``statement`` position (``statements[].position`` in a
  recommendation) together with the ``base_revision`` the list was made
  from. Statement rows are written anew on every revision, so a row id
  would not outlive one edit; the position does, and the base revision
  makes it safe: if the profile changed since, the line at that position
  may be another one, and the action is refused (409), preview or not;
- an item by its id: one the reason cites from the person's history
  ("exclude", "rate"), or the recommended item itself ("explain").

A preview shows exactly what applying gives and keeps nothing (not a
revision, not a served-list log, no task queued). A profile action is
scored as the statement list it would save, beside the current one, without
writing; a history action runs for real inside a transaction that is rolled
back (queued work waits for a commit that never comes).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import transaction

from catalog.models import Item
from engine.recommend import (
    Request,
    recommend_around,
    recommend_redrafted,
    recommendations_log,
)
from engine.scoring import Recommendation
from profiles import services
from profiles.models import Interaction, Profile, ProfileRevision
from profiles.services import StatementDraft
from recsite.errors import ApplicationError

# Actions on one profile line, found by ``statement`` (its position).
STATEMENT_ACTIONS = ("edit", "more", "less", "avoid", "delete", "pin", "unpin")
# Actions on an item of the person's history that a reason names, by ``item``.
HISTORY_ACTIONS = ("exclude", "include", "rate", "unrate")
ACTIONS = (*STATEMENT_ACTIONS, *HISTORY_ACTIONS, "explain", "restore")
# These write a new profile revision, so they must say which one they saw.
PROFILE_ACTIONS = (*STATEMENT_ACTIONS, "explain", "restore")


@dataclass(frozen=True)
class Action:
    name: str
    statement: int | None = None  # position of the profile line
    item: int | None = None
    base_revision: int | None = None
    text: str | None = None  # edit, explain
    value: float | None = None  # rate: stars
    revision: int | None = None  # restore: the revision to bring back

    def fields(self) -> dict:
        """The action as request fields (how the website's Undo posts it back)."""
        names = ("statement", "item", "base_revision", "text", "value", "revision")
        return {"action": self.name} | {
            name: getattr(self, name) for name in names if getattr(self, name) is not None
        }


@dataclass(frozen=True)
class Change:
    item: Item
    change: str  # entered, up, down, same, left
    before: int | None  # rank in the list before the action
    after: int | None  # rank after it
    recommendation: Recommendation | None  # None for items that left


@dataclass(frozen=True)
class Outcome:
    action: Action
    preview: bool
    base_revision: int  # the profile revision the action started from
    profile_revision: int  # after it (a preview: unchanged, nothing was saved)
    message: str  # what the action does, in words
    items: list[Change]  # the new list, in order
    left: list[Change]  # items of the old list that are gone
    undo: Action | None  # the action that takes this one back (None for a preview)
    log_id: int | None  # the served-list log of the new list (None for a preview)


def _require(action: Action, *names: str) -> None:
    for name in names:
        if getattr(action, name) is None:
            raise ApplicationError(
                f"{name} is required for the action {action.name!r}.", extra={"field": name}
            )


def _validate(action: Action) -> None:
    if action.name not in ACTIONS:
        raise ApplicationError(
            f"action must be one of {', '.join(ACTIONS)}.", extra={"field": "action"}
        )
    if action.name in STATEMENT_ACTIONS:
        _require(action, "statement")
    if action.name in (*HISTORY_ACTIONS, "explain"):
        _require(action, "item")
    if action.name in PROFILE_ACTIONS:
        _require(action, "base_revision")
    if action.name in ("edit", "explain"):
        _require(action, "text")
    if action.name == "rate":
        _require(action, "value")
    if action.name == "restore":
        _require(action, "revision")


def _rating(user, item_id: int) -> float | None:
    return (
        Interaction.objects.filter(user=user, item_id=item_id, kind=Interaction.Kind.RATING)
        .values_list("value", flat=True)
        .first()
    )


def _title(item_id: int) -> str:
    return Item.objects.filter(pk=item_id).values_list("title", flat=True).first() or ""


def _quoting(position: int, listed: list[Recommendation]) -> list[int]:
    """The items of a list whose reason matched the line at ``position``."""
    return [
        r.scored.item_id for r in listed if position in {m.statement.key for m in r.scored.matches}
    ]


@dataclass(frozen=True)
class _Redraft:
    """A profile action as a new statement list, before anything is saved."""

    drafts: list[StatementDraft]
    # What it does, in words, from the statement lists before and after it.
    message: Callable[[list[StatementDraft], list[StatementDraft]], str]
    # "Not this reason": the final list once the current one is known.
    redraft: Callable[[list[Recommendation]], list[StatementDraft]] | None = None
    cause: str = ProfileRevision.Cause.EDIT


def _redraft(user, action: Action) -> _Redraft:
    """The statement list an action on the profile gives.

    The services' ``*_drafts`` functions check the action as saving would
    (a missing line is a 404, an edit goes through the editor's parser and
    limits) and write nothing.
    """
    name, position = action.name, action.statement
    common = {"user": user, "position": position}
    if name == "edit":
        drafts = services.statement_edit_drafts(**common, text=action.text)
        return _Redraft(
            drafts, lambda old, new: f"“{old[position].text}” now reads “{new[position].text}”."
        )
    if name in ("more", "less"):
        direction = 1 if name == "more" else -1
        drafts = services.statement_strength_drafts(**common, direction=direction)
        return _Redraft(
            drafts,
            lambda old, new: (
                f"{name.capitalize()} of “{old[position].text}”: strength {new[position].weight:g}."
            ),
        )
    if name == "avoid":
        drafts = services.statement_avoid_drafts(**common)

        def with_evidence(listed: list[Recommendation]) -> list[StatementDraft]:
            # The items the line was the reason for become its evidence, which
            # keeps them out for as long as the Avoids line stands.
            quoted = tuple(sorted(set(_quoting(position, listed))))
            return [
                replace(d, evidence=quoted) if n == position else d for n, d in enumerate(drafts)
            ]

        return _Redraft(
            drafts, lambda old, new: f"“{old[position].text}” is now an Avoids line.", with_evidence
        )
    if name == "delete":
        drafts = services.statement_delete_drafts(**common)
        return _Redraft(
            drafts, lambda old, new: f"“{old[position].text}” removed from your profile."
        )
    if name in ("pin", "unpin"):
        drafts = services.statement_pin_drafts(**common, pinned=name == "pin")
        state = "pinned: regeneration keeps it" if name == "pin" else "unpinned"
        return _Redraft(drafts, lambda old, new: f"“{old[position].text}” {state}.")
    if name == "explain":
        drafts = services.statement_explain_drafts(user=user, item_id=action.item, text=action.text)

        def explained(old: list[StatementDraft], new: list[StatementDraft]) -> str:
            # A new line, or (the same words typed again) the line it joined.
            lines = {(d.text, d.polarity) for d in old}
            added = next((d.text for d in new if (d.text, d.polarity) not in lines), None)
            added = added or next(d.text for d in new if action.item in d.evidence)
            return f"Added “{added}”, with {_title(action.item)} as its example."

        return _Redraft(drafts, explained)
    # restore
    drafts = services.revision_drafts(user=user, number=action.revision)
    return _Redraft(
        drafts,
        lambda old, new: f"Revision {action.revision} of your profile is back.",
        cause=ProfileRevision.Cause.UNDO,
    )


def _perform_on_history(user, action: Action) -> tuple[str, Action]:
    """Change the person's history (inside the caller's transaction); its message and undo."""
    name, title = action.name, _title(action.item)
    if name in ("exclude", "include"):
        services.interaction_exclude(user=user, item_id=action.item, excluded=name == "exclude")
        undo = Action("include" if name == "exclude" else "exclude", item=action.item)
        message = (
            f"{title} is no longer used for your recommendations (your rating stays)."
            if name == "exclude"
            else f"{title} is used for your recommendations again."
        )
        return message, undo
    # rate, unrate
    old = _rating(user, action.item)
    value = action.value if name == "rate" else None
    services.interaction_rating_change(user=user, item_id=action.item, value=value)
    undo = (
        Action("rate", item=action.item, value=old)
        if old is not None
        else Action("unrate", item=action.item)
    )
    message = (
        f"You rated {title} {value:g}." if value is not None else f"Rating of {title} removed."
    )
    return message, undo


def _changes(before, after) -> tuple[list[Change], list[Change]]:
    previous = {s.recommendation.scored.item_id: s.recommendation.rank for s in before.items}
    items = []
    for served in after.items:
        rank = served.recommendation.rank
        was = previous.get(served.item.pk)
        if was is None:
            change = "entered"
        elif was == rank:
            change = "same"
        else:
            change = "up" if rank < was else "down"
        items.append(Change(served.item, change, was, rank, served.recommendation))
    now = {served.item.pk for served in after.items}
    left = [
        Change(s.item, "left", s.recommendation.rank, None, None)
        for s in before.items
        if s.item.pk not in now
    ]
    return items, left


def steer(*, user, action: Action, preview: bool, request: Request | None = None) -> Outcome:
    """Preview or apply one control of a recommendation's reason; the list before and after.

    1. Check the action's fields (a missing one is named) and, for actions
       that write the profile, that ``base_revision`` is current (else 409).
       An item action may send one too; then it is checked the same way.
    2. A profile action becomes a new statement list, scored against the
       current one in a single pass (recommend_redrafted); applying saves it
       as a new revision and logs the new list. A history action changes the
       history inside the transaction, between reading it and reading it
       again, and both are scored in one pass (recommend_around); a preview
       rolls the change back.
    3. Compare: each item of the new list entered, moved or stayed; items of
       the old one that are gone left.
    """
    _validate(action)
    request = request or Request()
    with transaction.atomic():
        services.profile_for(user)
        # Locked for the whole action: two actions from one base never both land.
        profile = Profile.objects.select_for_update().get(user=user)
        base = profile.revision
        if action.base_revision is not None and action.base_revision != base:
            raise services.ProfileConflict(
                base_revision=action.base_revision, current_revision=base
            )
        if action.name in PROFILE_ACTIONS:
            planned = _redraft(user, action)
            lists = recommend_redrafted(
                user=user, drafts=planned.drafts, request=request, redraft=planned.redraft
            )
            before, after = lists.before, lists.after
            message, undo = planned.message(lists.current, lists.drafts), None
            if not preview:
                revision = services.profile_write(
                    user=user, drafts=lists.drafts, base_revision=base, cause=planned.cause
                )
                after = recommendations_log(
                    user=user,
                    request=request,
                    listed=replace(after, profile_revision=revision.number),
                )
                undo = Action("restore", revision=base, base_revision=revision.number)
        else:
            done: list[tuple[str, Action]] = []
            lists = recommend_around(
                user=user,
                request=request,
                change=lambda: done.append(_perform_on_history(user, action)),
            )
            (message, undo), before, after = done[0], lists.before, lists.after
            if preview:
                transaction.set_rollback(True)
            else:
                after = recommendations_log(user=user, request=request, listed=after)
    items, left = _changes(before, after)
    return Outcome(
        action=action,
        preview=preview,
        base_revision=base,
        profile_revision=base if preview else after.profile_revision,
        message=message,
        items=items,
        left=left,
        undo=None if preview else undo,
        log_id=None if preview else after.log_id,
    )
