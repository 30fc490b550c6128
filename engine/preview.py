"""The profile editor's preview: what a draft of the profile text would recommend.

Nothing is saved: the draft is read by the same door and parser as saving
(``profiles.services.profile_edit`` with ``save=False``), new lines are
encoded in memory and nothing is logged.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from engine import scoring
from engine.person import ListOptions
from engine.recommend import RISING, Move, rank_changes, score_change
from profiles.services import LineChoice, ReplaceText, StatementDraft, profile_edit


@dataclass(frozen=True)
class Preview:
    base_revision: int
    drafts: list[StatementDraft]  # how the draft text was understood
    items: list[Move]  # the draft's list, in order, each with the edited line behind its move
    left: list[Move]  # items of the current list that the draft drops
    added_lines: list[str]  # lines new or changed in the draft
    removed_lines: list[str]  # lines of the current profile the draft drops


def _line_key(draft: StatementDraft) -> tuple[str, str, float, str]:
    # The concept chosen for a line changes what it does: a line whose label
    # was switched off or changed is a changed line.
    return (draft.text, draft.polarity, draft.weight, draft.concept)


def recommendations_preview(
    *,
    user,
    text: str,
    options: ListOptions = ListOptions(),
    choices: Mapping[str, LineChoice] | None = None,
) -> Preview:
    """Score the draft ``text`` as if saved, and compare with the current list.

    1. Read the draft (same parser and limits as saving; errors name the
       line; ``choices``: the switches pressed beside its lines) and rank
       both the current profile and the draft in one pass.
    2. For each item: entered, left, moved up/down or same (rank_changes).
    3. Name the edited line behind each move (see ``_Causes``). An item
       pushed in or out only by other items' moves gets the cause of the
       first item that moved the other way.
    """
    change = profile_edit(user=user, edit=ReplaceText(text, choices or {}), save=False)
    options = replace(options, personalised=True)
    scores = score_change(user=user, options=options, before=change.before, after=change.after)
    before, after = scores.lists()
    old_keys = {_line_key(d) for d in change.before}
    new_keys = {_line_key(d) for d in change.after}
    causes = _Causes(
        added=[d.text for d in change.after if _line_key(d) not in old_keys],
        removed=[d.text for d in change.before if _line_key(d) not in new_keys],
        before={s.item.pk: s.recommendation.scored for s in before.items},
        after=scores.changed,
    )
    moves, left = rank_changes(before, after)
    moves, left = causes.name([*moves, *left])
    return Preview(
        base_revision=change.base_revision,
        drafts=change.after,
        items=moves,
        left=left,
        added_lines=causes.added,
        removed_lines=causes.removed,
    )


@dataclass(frozen=True)
class _Causes:
    added: list[str]  # line texts new (or changed) in the draft
    removed: list[str]  # line texts of the current profile gone from the draft
    before: dict[int, scoring.Scored]  # the current list, scored with the current profile
    after: scoring.ScoreTable  # candidates scored with the draft

    def own(self, item_id: int, *, rising: bool) -> str | None:
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

    def name(self, moves: list[Move]) -> tuple[list[Move], list[Move]]:
        """Each move with its cause; the list's moves and those that left, apart."""
        moved = [m for m in moves if m.change != "same"]
        causes = {m.item.pk: self.own(m.item.pk, rising=m.change in RISING) for m in moved}
        first = {
            rising: next(
                (
                    causes[m.item.pk]
                    for m in moved
                    if (m.change in RISING) == rising and causes[m.item.pk]
                ),
                None,
            )
            for rising in (True, False)
        }
        # Pushed in or out by others: the cause of the first that moved the other way.
        named = [
            m
            if m.change == "same"
            else replace(m, cause=causes[m.item.pk] or first[m.change not in RISING])
            for m in moves
        ]
        return [m for m in named if m.change != "left"], [m for m in named if m.change == "left"]
