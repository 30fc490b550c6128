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

from dataclasses import dataclass, replace

from django.db import transaction

from engine.person import ListOptions, user_history
from engine.recommend import Move, rank_changes, recommendations_log, score_change
from engine.scoring import Recommendation
from profiles import services
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
class Outcome:
    action: Action
    preview: bool
    base_revision: int  # the profile revision the action started from
    profile_revision: int  # after it (a preview: unchanged, nothing was saved)
    message: str  # what the action does, in words
    items: list[Move]  # the new list, in order
    left: list[Move]  # items of the old list that are gone
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


def _edit(action: Action) -> services.ProfileEdit:
    """The profile edit an action asks for; profiles decides what it does."""
    name, position = action.name, action.statement
    if name == "edit":
        return services.ChangeLine(position, text=action.text)
    if name in ("more", "less"):
        return services.StepStrength(position, 1 if name == "more" else -1)
    if name == "avoid":
        return services.AvoidLine(position)
    if name == "delete":
        return services.DeleteLine(position)
    if name in ("pin", "unpin"):
        return services.ChangeLine(position, pinned=name == "pin")
    if name == "explain":
        return services.ExplainItem(action.item, action.text)
    if name == "restore":
        return services.RestoreRevision(action.revision)
    if name in ("exclude", "include"):
        return services.ExcludeItem(action.item, excluded=name == "exclude")
    return services.RateItem(action.item, action.value if name == "rate" else None)


def _undo(change: services.ProfileChange) -> Action | None:
    """The action that takes a saved change back, as the website's Undo posts it."""
    undo = change.undo
    if isinstance(undo, services.RestoreRevision):
        return Action("restore", revision=undo.number, base_revision=change.revision.number)
    if isinstance(undo, services.ExcludeItem):
        return Action("exclude" if undo.excluded else "include", item=undo.item_id)
    if isinstance(undo, services.RateItem):
        if undo.value is None:
            return Action("unrate", item=undo.item_id)
        return Action("rate", item=undo.item_id, value=undo.value)
    return None


def _quotes(listed: list[Recommendation]) -> dict[int, list[int]]:
    """Each profile line's position -> the items of a list whose reason matched it."""
    quotes: dict[int, list[int]] = {}
    for recommendation in listed:
        for match in recommendation.scored.matches:
            quotes.setdefault(match.statement.key, []).append(recommendation.scored.item_id)
    return quotes


class _ListsAround:
    """The lists before and after a change, scored while profile_edit holds it (its review)."""

    def __init__(self, user, options: ListOptions) -> None:
        self.user, self.options = user, options
        # Read before the door: a history edit changes it there.
        self.history = user_history(user.pk)
        self.scores = None

    def review(self, change: services.ProfileChange) -> dict[int, list[int]]:
        """Score both versions in one pass; which items of the list now quoted each line."""
        changed = None if change.edit.writes_statements else user_history(self.user.pk)
        self.scores = score_change(
            user=self.user,
            options=self.options,
            before=change.before,
            after=change.after,
            history=self.history,
            changed_history=changed,
        )
        return _quotes(self.scores.before)


def steer(*, user, action: Action, preview: bool, options: ListOptions | None = None) -> Outcome:
    """Preview or apply one control of a recommendation's reason; the list before and after.

    1. Check the action's fields (a missing one is named) and turn it into
       a profile edit (``_edit``).
    2. Hand it to profiles' one door, ``profile_edit``, which locks, checks
       ``base_revision`` (409 when stale; an item action may send one too),
       applies it, and shows it to ``review`` before writing: here the list
       now and the list after are scored in one pass, and the lines each
       item of the list now quoted go back ("not this reason" keeps those
       items out). A preview writes nothing and rolls back a history change.
    3. Draw both lists, log the new one when applied, and compare: each item
       of the new list entered, moved or stayed; items of the old one that
       are gone left.
    """
    _validate(action)
    options = options or ListOptions()
    lists = _ListsAround(user, options)
    with transaction.atomic():
        change = services.profile_edit(
            user=user,
            edit=_edit(action),
            base_revision=action.base_revision,
            save=not preview,
            review=lists.review,
        )
        before, after = lists.scores.lists(change.after)
        if not preview:
            revision = change.revision.number if change.revision else change.base_revision
            after = recommendations_log(
                user=user, options=options, listed=replace(after, profile_revision=revision)
            )
    items, left = rank_changes(before, after)
    return Outcome(
        action=action,
        preview=preview,
        base_revision=change.base_revision,
        profile_revision=change.base_revision if preview else after.profile_revision,
        message=change.message,
        items=items,
        left=left,
        undo=None if preview else _undo(change),
        log_id=None if preview else after.log_id,
    )
