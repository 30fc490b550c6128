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

A preview runs the action for real inside a transaction and rolls it back,
so what it shows is exactly what applying gives; nothing of it is kept (not
a revision, not a served-list log, no task queued: those wait for commit).
"""

from dataclasses import dataclass

from django.db import transaction

from catalog.models import Item
from engine.recommend import Request, recommend_for_user
from engine.scoring import Recommendation
from profiles import services
from profiles.models import Interaction, Profile, ProfileRevision
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


def _line(user, position: int) -> str:
    drafts = services.profile_drafts(services.profile_for(user))
    return drafts[position].text if 0 <= position < len(drafts) else ""


def _rating(user, item_id: int) -> float | None:
    return (
        Interaction.objects.filter(user=user, item_id=item_id, kind=Interaction.Kind.RATING)
        .values_list("value", flat=True)
        .first()
    )


def _title(item_id: int) -> str:
    return Item.objects.filter(pk=item_id).values_list("title", flat=True).first() or ""


def _perform(user, action: Action, base_revision: int, before) -> tuple[str, Action | None]:
    """Do the action (inside the caller's transaction); returns its message and its undo.

    ``before``: the list the action is taken on ("not this reason" removes
    the items in it that quoted the line).
    """
    name, position = action.name, action.statement
    revision: ProfileRevision | None = None
    undo: Action | None = None
    if name in STATEMENT_ACTIONS:
        line = _line(user, position) if position is not None else ""
        common = {"user": user, "position": position, "base_revision": base_revision}
        if name == "edit":
            revision = services.profile_statement_update(**common, text=action.text)
            message = f"“{line}” now reads “{_line(user, position)}”."
        elif name in ("more", "less"):
            revision = services.profile_statement_strength(
                **common, direction=1 if name == "more" else -1
            )
            weight = revision.statements[position]["weight"]
            message = f"{name.capitalize()} of “{line}”: strength {weight:g}."
        elif name == "avoid":
            quoted = [
                served.item.pk
                for served in before.items
                if position in {m.statement.key for m in served.recommendation.scored.matches}
            ]
            revision = services.profile_statement_avoid(**common, evidence=quoted)
            message = f"“{line}” is now an Avoids line."
        elif name == "delete":
            revision = services.profile_statement_delete(**common)
            message = f"“{line}” removed from your profile."
        else:
            revision = services.profile_statement_pin(**common, pinned=name == "pin")
            state = "pinned: regeneration keeps it" if name == "pin" else "unpinned"
            message = f"“{line}” {state}."
    elif name == "explain":
        revision = services.profile_explain_item(
            user=user, item_id=action.item, text=action.text, base_revision=base_revision
        )
        added = revision.statements[-1]["text"] if revision.statements else action.text
        message = f"Added “{added}”, with {_title(action.item)} as its example."
    elif name == "restore":
        revision = services.profile_undo(
            user=user, number=action.revision, base_revision=base_revision
        )
        message = f"Revision {action.revision} of your profile is back."
    elif name in ("exclude", "include"):
        services.interaction_exclude(user=user, item_id=action.item, excluded=name == "exclude")
        title = _title(action.item)
        undo = Action("include" if name == "exclude" else "exclude", item=action.item)
        message = (
            f"{title} is no longer used for your recommendations (your rating stays)."
            if name == "exclude"
            else f"{title} is used for your recommendations again."
        )
    else:  # rate, unrate
        old = _rating(user, action.item)
        value = action.value if name == "rate" else None
        services.interaction_rating_change(user=user, item_id=action.item, value=value)
        undo = (
            Action("rate", item=action.item, value=old)
            if old is not None
            else Action("unrate", item=action.item)
        )
        title = _title(action.item)
        message = (
            f"You rated {title} {value:g}." if value is not None else f"Rating of {title} removed."
        )
    if revision is not None:
        undo = Action("restore", revision=base_revision, base_revision=revision.number)
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
    2. In one transaction: the list as it is, the action, the list after it.
       A preview rolls all of it back; an apply commits a new profile
       revision (or the changed interaction) and logs the new list.
    3. Compare: each item of the new list entered, moved or stayed; items of
       the old one that are gone left.
    """
    _validate(action)
    request = request or Request()
    with transaction.atomic():
        services.profile_for(user)
        profile = Profile.objects.select_for_update().get(user=user)
        base = profile.revision
        if action.base_revision is not None and action.base_revision != base:
            raise services.ProfileConflict(
                base_revision=action.base_revision, current_revision=base
            )
        before = recommend_for_user(user=user, request=request, log=False)
        message, undo = _perform(user, action, base, before)
        after = recommend_for_user(user=user, request=request, log=not preview)
        if preview:
            transaction.set_rollback(True)
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
        log_id=after.log_id,
    )
