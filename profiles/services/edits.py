"""The one door every change to a profile goes through: ``profile_edit``.

An edit is a value object that says what a person (or the profile writer)
changes: the whole text, one line's words, strength, polarity or pin, "not
this reason", an item's own reason, a past revision back, an import, the
generator's new lines, or an item of the history left out or re-rated.
``profile_edit`` applies any of them the same way: lock, check the base
revision once, apply, let the caller look, write one revision, say what
changed and how to undo it. The engine never decides how a profile changes;
it scores the lists before and after (engine.steering, engine.preview).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from profiles.models import CONCEPT_MAX_LENGTH, Interaction, Profile, ProfileRevision, Statement
from profiles.parser import (
    CONCEPT_OFF,
    CONCEPT_SEP,
    MAX_STATEMENT_LENGTH,
    MAX_STATEMENTS,
    TAG_PREFIX,
    ProfileTextError,
    by_polarity,
    concept_labels,
    parse_line,
    parse_profile,
    parse_statement,
    polarity_order,
    render_profile,
)
from profiles.revisions import strength_words
from profiles.services.interactions import interaction_exclude, interaction_rating_change
from profiles.services.portability import imported_drafts
from profiles.services.revisions import revision_drafts, revision_restore_label
from profiles.services.statements import (
    ProfileConflict,
    StatementDraft,
    profile_drafts,
    profile_for,
    revision_write,
    same_statements,
    strength_step,
)
from profiles.services.titles import titled_drafts
from recsite.errors import ApplicationError

LIKE, AVOID = Statement.Polarity.LIKE, Statement.Polarity.AVOID


@dataclass(frozen=True)
class Applied:
    """An edit applied to the current statements, before anything is written."""

    drafts: list[StatementDraft]
    message: str  # what the edit does, in words
    undo: "ProfileEdit | None" = None  # a history edit's way back (see ProfileChange.undo)
    changed: bool = True  # False: the edit leaves the statements as they are; nothing is written
    label: str = ""  # the revision's label in the history, when ``message`` will not do


class ProfileEdit:
    """What one change does to a profile's statements (see the subclasses)."""

    cause: ClassVar[str] = ProfileRevision.Cause.EDIT
    # False for edits of the history (interactions): they write no revision.
    writes_statements: ClassVar[bool] = True

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        """The statements after the edit; checks its own input (errors name the field)."""
        raise NotImplementedError

    def finish(
        self, change: "ProfileChange", quotes: Mapping[int, Sequence[int]]
    ) -> list[StatementDraft]:
        """The final statements once the caller has seen the current list: ``quotes``
        maps a line's position (in ``change.before``) to the items whose reason quoted it."""
        return change.after


@dataclass(frozen=True)
class ProfileChange:
    """What ``profile_edit`` did (or, not saved, would do)."""

    edit: ProfileEdit
    base_revision: int  # the revision the edit started from
    before: list[StatementDraft]
    after: list[StatementDraft]
    message: str
    revision: ProfileRevision | None = None  # written; None: not saved, or nothing to write
    undo: ProfileEdit | None = None  # takes a saved change back

    def moved(self, position: int) -> int:
        """Where the line at ``position`` stands after the change: a line whose
        polarity changed moves to its section. ``position`` for a line gone."""
        line = self.before[position] if 0 <= position < len(self.before) else None
        found = (n for n, d in enumerate(self.after) if line and d.text == line.text)
        return next(found, position)


# The caller's look at a change before it is written (see profile_edit, step 4).
Review = Callable[[ProfileChange], Mapping[int, Sequence[int]]]


def profile_edit(
    *,
    user,
    edit: ProfileEdit,
    base_revision: int | None = None,
    save: bool = True,
    review: Review | None = None,
) -> ProfileChange:
    """Apply one edit to the person's profile, as one new revision.

    1. Lock the profile (made on first use): two edits from the same base
       never both land.
    2. Apply the edit to the current statements; it checks its own input (a
       missing line is a 404, words go through the editor's parser and
       limits), so bad input is named as such even with a stale base. A
       history edit changes the interactions here. The result is grouped,
       likes then avoids (``by_polarity``), so positions, the stored order and
       the rendered text agree and the text never alternates its headers.
    3. Refuse (ProfileConflict, 409) an edit based on another revision than
       the current one, saved or not, so a stale preview fails as its save
       would; whatever step 2 wrote is rolled back. ``base_revision=None``
       (the profile writer, which merges under this lock) skips the check.
    4. ``review``, if given, sees the change before it is written and returns
       which items quoted each line in the list now; "not this reason" keeps
       those out as its Avoids line's evidence.
    5. ``save``: write the statements as a new revision (none for a history
       edit, nor for an edit that changes nothing) and name the undo.
       Not saving rolls back whatever step 3 wrote: nothing is kept, nothing
       queued.
    """
    with transaction.atomic():
        profile_for(user)
        profile = Profile.objects.select_for_update().get(user=user)
        before = profile_drafts(profile)
        applied = edit.apply(list(before), user=user)
        if base_revision is not None and base_revision != profile.revision:
            raise ProfileConflict(base_revision=base_revision, current_revision=profile.revision)
        # A typed line naming an item's title stands for that item (titles.py).
        after = titled_drafts(by_polarity(applied.drafts), before)
        change = ProfileChange(edit, profile.revision, before, after, applied.message)
        if review is not None:
            change = replace(change, after=edit.finish(change, review(change)))
        if not save:
            transaction.set_rollback(True)
            return change
        if not edit.writes_statements:
            return replace(change, undo=applied.undo)
        if not applied.changed:
            return change
        generated = edit.cause == ProfileRevision.Cause.GENERATION
        revision = revision_write(
            profile=profile,
            drafts=change.after,
            cause=edit.cause,
            author=None if generated else user,
            label=applied.label or applied.message,
        )
    return replace(change, revision=revision, undo=RestoreRevision(change.base_revision))


# --- The whole text -----------------------------------------------------------------


def concept_checked(concept: str) -> str:
    """A line's chosen concept as stored (Statement.concept), or an error naming the field.

    "" (read it from the words) and CONCEPT_OFF (act by meaning only) always
    do; else one label or several joined by CONCEPT_SEP ("Jazz|Blues"), each
    one the catalog's active items carry, a category's name or TAG_PREFIX
    and a tag ("tag:zombie"), so a typo is named rather than stored to act
    on nothing.
    """
    concept = " ".join(str(concept).split())
    if concept in ("", CONCEPT_OFF):
        return concept
    labels = concept_labels(concept)
    concept = CONCEPT_SEP.join(labels)
    if len(concept) > CONCEPT_MAX_LENGTH:
        raise ApplicationError(
            f"concept is at most {CONCEPT_MAX_LENGTH} characters.", extra={"field": "concept"}
        )
    if not labels:
        return ""
    items = Item.objects.filter(is_active=True)
    for label in labels:
        if label.startswith(TAG_PREFIX):
            tag = label.removeprefix(TAG_PREFIX)
            found, what = items.filter(tags__contains=[tag]).exists(), f"the tag {tag!r}"
        else:
            found = items.filter(categories__contains=[label]).exists()
            what = f"the category {label!r}"
        if not found:
            raise ApplicationError(
                f"No item of the catalog carries {what}.", extra={"field": "concept"}
            )
    return concept


def concept_words(concept: str) -> str:
    """What a stored concept makes a line do, in words: "acts on Romance"."""
    if concept == CONCEPT_OFF:
        return "acts by its meaning only"
    labels = [
        f"the tag {label.removeprefix(TAG_PREFIX)}" if label.startswith(TAG_PREFIX) else label
        for label in concept_labels(concept)
    ]
    if not labels:
        return "acts on what its words name"
    return "acts on " + (
        labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    )


@dataclass(frozen=True)
class LineChoice:
    """How the person chose to read one line in the editor's preview (None: as read).

    ``concept``: the label it acts on (Statement.concept); ``polarity``: Likes
    or Avoids even where its words say otherwise ("tired of zombie films"
    typed under Likes is read as an avoid; the person may say it is a like).
    """

    concept: str | None = None
    polarity: str | None = None

    def applied(self, draft: StatementDraft) -> StatementDraft:
        if self.polarity is not None and self.polarity not in Statement.Polarity.values:
            raise ApplicationError("polarity must be like or avoid.", extra={"field": "polarity"})
        if self.polarity is not None and self.polarity != draft.polarity:
            draft = replace(draft, polarity=self.polarity, origin=Statement.Origin.USER)
        if self.concept is not None:
            draft = replace(draft, concept=concept_checked(self.concept))
        return draft


@dataclass(frozen=True)
class ReplaceText(ProfileEdit):
    """The profile as the person typed it in the editor (or the API's PUT).

    A line that is unchanged (same text and polarity) keeps what the person
    cannot see in the text: where it came from, its pin, its evidence, the
    concept chosen for it. So does a line the person once chose to read
    against its words ("tired of zombie films" kept as a like) that still
    stands in the section they chose. Any other line is the person's own.
    ``choices``: line text -> LineChoice, the switches pressed in the preview.
    """

    text: str
    choices: Mapping[str, LineChoice] = field(default_factory=dict)

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        current = {(d.text, d.polarity): d for d in drafts}
        result = []
        for statement in parse_profile(self.text):
            kept = current.get((statement.text, statement.polarity))
            if kept is None and statement.section not in ("", statement.polarity):
                kept = current.get((statement.text, statement.section))
            if kept:
                draft = replace(kept, weight=statement.weight)
            else:
                draft = StatementDraft.from_parsed(statement)
            choice = self.choices.get(statement.text)
            result.append(choice.applied(draft) if choice else draft)
        return Applied(result, "Your profile is saved.", label="Edited the text")


@dataclass(frozen=True)
class AddLines(ProfileEdit):
    """Lines typed at onboarding, added after any the profile already has.

    Nothing typed before is lost; the new lines are the person's own and
    are read like the editor's text ("not into X" under Likes is an avoid).
    """

    likes: tuple[str, ...] = ()
    avoids: tuple[str, ...] = ()

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        text = "\n".join(
            [
                render_profile([d.parsed() for d in drafts]),
                "Likes:",
                *(f"- {line}" for line in self.likes),
                "Avoids:",
                *(f"- {line}" for line in self.avoids),
            ]
        )
        return replace(
            ReplaceText(text).apply(drafts, user=user),
            message="Your lines are added.",
            label="Added lines",
        )


# --- One line, by its position --------------------------------------------------------


def _line(drafts: list[StatementDraft], position: int) -> StatementDraft:
    if not 0 <= position < len(drafts):
        raise ApplicationError(
            "That line is not in your profile any more: it may have changed in "
            "another window. Reload to see it as it is now.",
            extra={"field": "position"},
            status_code=404,
        )
    return drafts[position]


def _one_line(text: str) -> str:
    # splitlines, not "\n": \r, \u2028 and the like end a line in the editor too.
    if len(text.splitlines()) > 1 or len(text.strip()) > MAX_STATEMENT_LENGTH:
        raise ProfileTextError(
            f"a statement is one line of at most {MAX_STATEMENT_LENGTH} characters", 1
        )
    return text


def _reworded(text: str, polarity: str) -> list:
    """A line's new words as statements: one, or a like and an avoid for a line that turns."""
    parsed = parse_line(_one_line(text), polarity)
    if not parsed:
        raise ProfileTextError("the statement is empty", 1)
    for statement in parsed:
        if not statement.embedded_text:
            raise ProfileTextError(f"{statement.text!r} says how, but not what", 1)
    return parsed


@dataclass(frozen=True)
class ChangeLine(ProfileEdit):
    """One line's words, polarity, strength, pin or concept (None: unchanged).

    New words go through the editor's parser and limits, read in the line's
    section (or the new ``polarity``): "not into X" typed on a "Likes" line
    becomes an "Avoids" line. Changed words make the line the person's own
    and are read afresh (a concept chosen for the old words goes, unless
    ``concept`` is given too); a changed strength, pin or concept keeps its
    origin and evidence. ``concept``: see ``concept_checked``.
    """

    position: int
    text: str | None = None
    polarity: str | None = None
    weight: float | None = None
    pinned: bool | None = None
    concept: str | None = None

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        old = draft = _line(drafts, self.position)
        if self.polarity is not None and self.polarity not in Statement.Polarity.values:
            raise ApplicationError("polarity must be like or avoid.", extra={"field": "polarity"})
        if self.weight is not None and not 0 <= self.weight <= 1:
            raise ApplicationError("weight must be between 0 and 1.", extra={"field": "weight"})
        reworded = self.text is not None and self.text.strip() != draft.text
        added: list[StatementDraft] = []
        if reworded:
            parsed, *turned = _reworded(self.text, self.polarity or draft.polarity)
            # New words make the line the person's own; its group stays with
            # it while the words still describe it (engine.person decides).
            draft = StatementDraft.from_parsed(parsed, pinned=draft.pinned, evidence=draft.evidence)
            # "X but not Y" typed over a line: its avoid follows it as a line of its own.
            added = [StatementDraft.from_parsed(p) for p in turned]
            if len(drafts) + len(added) > MAX_STATEMENTS:
                raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
        elif self.polarity is not None and self.polarity != draft.polarity:
            draft = replace(draft, polarity=self.polarity, origin=Statement.Origin.USER)
        if self.weight is not None:
            draft = replace(draft, weight=round(float(self.weight), 2))
        if self.pinned is not None:
            draft = replace(draft, pinned=bool(self.pinned))
        if self.concept is not None:
            draft = replace(draft, concept=concept_checked(self.concept))
        drafts[self.position : self.position + 1] = [draft, *added]
        message = self._message(old, draft, reworded) + "".join(
            f" “{a.text}” is a line of its own." for a in added
        )
        return Applied(drafts, message, changed=draft != old or bool(added))

    def _message(self, old: StatementDraft, new: StatementDraft, reworded: bool) -> str:
        if reworded:
            return f"“{old.text}” now reads “{new.text}”."
        if self.pinned is not None:
            state = (
                "pinned: kept when your profile is written again"
                if new.pinned
                else "unpinned: it may change when your profile is written again"
            )
            return f"“{old.text}” {state}."
        if new.polarity != old.polarity:
            section = "a Likes" if new.polarity == LIKE else "an Avoids"
            return f"“{old.text}” is now {section} line."
        if new.weight != old.weight:
            return f"“{old.text}” now counts {strength_words(new.weight)}."
        if new.concept != old.concept:
            return f"“{old.text}” {concept_words(new.concept)}."
        return f"“{old.text}” is unchanged."


@dataclass(frozen=True)
class StepStrength(ProfileEdit):
    """More of this (``direction`` 1) or less of this (-1): one step along the strength scale.

    A strength is not words: the line keeps its origin, evidence and pin.
    """

    position: int
    direction: int

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        draft = _line(drafts, self.position)
        weight = strength_step(draft.weight, self.direction)
        if weight is None:
            end = "as much" if self.direction > 0 else "as little"
            raise ApplicationError(
                f"“{draft.text}” already counts {end} as a line can."
                + (
                    ""
                    if self.direction > 0
                    else " To stop using it, remove it or make it an Avoids line."
                ),
                extra={"field": "action"},
            )
        drafts[self.position] = replace(draft, weight=weight)
        more = "More" if self.direction > 0 else "Less"
        return Applied(drafts, f"{more} of “{draft.text}”: it now counts {strength_words(weight)}.")


@dataclass(frozen=True)
class AvoidLine(ProfileEdit):
    """Not this reason: a "Likes" line becomes an "Avoids" line.

    Its group turns with it: what its items pulled in is now pushed down
    (engine.scoring). The items the line was the reason for in the list now
    (what ``review`` reports) join its evidence, which keeps them out of the
    list while the Avoids line stands, even those its words match too weakly
    to filter.
    """

    position: int

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        draft = _line(drafts, self.position)
        if draft.polarity == AVOID:
            raise ApplicationError(
                f"“{draft.text}” is an Avoids line already.",
                extra={"field": "position"},
            )
        drafts[self.position] = replace(draft, polarity=AVOID, origin=Statement.Origin.USER)
        return Applied(drafts, f"“{draft.text}” is now an Avoids line.")

    def finish(
        self, change: ProfileChange, quotes: Mapping[int, Sequence[int]]
    ) -> list[StatementDraft]:
        # The line has moved to the Avoids section: find where profile_edit put it.
        turned = [
            replace(d, polarity=AVOID) if n == self.position else d
            for n, d in enumerate(change.before)
        ]
        moved = polarity_order(turned).index(self.position)
        return [
            replace(d, evidence=tuple(sorted({*d.evidence, *quotes.get(self.position, ())})))
            if n == moved
            else d
            for n, d in enumerate(change.after)
        ]


@dataclass(frozen=True)
class DeleteLine(ProfileEdit):
    position: int

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        _line(drafts, self.position)
        removed = drafts.pop(self.position)
        return Applied(drafts, f"“{removed.text}” removed from your profile.")


@dataclass(frozen=True)
class ExplainItem(ProfileEdit):
    """The person's own reason for liking an item, the item its evidence.

    "Say why you like this" on a recommendation that matched none of their
    lines: the same parser and limits as the editor, read as a "Likes" line
    (a typed negation still makes it an "Avoids" line). The same words
    typed again add the item to that line's evidence instead of a new line.
    """

    item_id: int
    text: str

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        item = Item.objects.filter(pk=self.item_id, is_active=True).only("pk", "title").first()
        if item is None:
            raise ApplicationError(
                f"There is no item {self.item_id} in the catalog.",
                extra={"field": "item"},
                status_code=404,
            )
        parsed = parse_statement(_one_line(self.text or ""), LIKE)
        if parsed is None:
            raise ProfileTextError("say in a few words what you like about it", 1)
        if len(drafts) >= MAX_STATEMENTS:
            raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
        same = next(
            (
                n
                for n, d in enumerate(drafts)
                if (d.text, d.polarity) == (parsed.text, parsed.polarity)
            ),
            None,
        )
        if same is not None:
            drafts[same] = replace(
                drafts[same], evidence=tuple(sorted({*drafts[same].evidence, item.pk}))
            )
        else:
            drafts.append(StatementDraft.from_parsed(parsed, evidence=(item.pk,)))
        line = drafts[same if same is not None else -1].text
        return Applied(drafts, f"Added “{line}”, with {item.title} as its example.")


# --- Whole statement lists ---------------------------------------------------------------


@dataclass(frozen=True)
class RestoreRevision(ProfileEdit):
    """Undo: the statements of revision ``number`` back, as a new revision."""

    number: int
    cause: ClassVar[str] = ProfileRevision.Cause.UNDO

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        return Applied(
            revision_drafts(user=user, number=self.number),
            revision_restore_label(user=user, number=self.number),
        )


@dataclass(frozen=True)
class ImportProfile(ProfileEdit):
    """An export (JSON data) or profile text, replacing the statements (portability.py)."""

    data: dict | str
    cause: ClassVar[str] = ProfileRevision.Cause.IMPORT

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        return Applied(imported_drafts(self.data), "Your profile is loaded from a file.")


@dataclass(frozen=True)
class MergeGenerated(ProfileEdit):
    """The profile writer's new lines, merged with what the person made their own.

    Pinned and person-written lines stay exactly; generated, unpinned ones
    are replaced by ``generated``, leaving out any whose words a kept line
    has already. Likes stay before avoids. ``new_signals``: how many ratings
    and reactions came since the last run (None: not known), for the label.
    """

    generated: tuple[StatementDraft, ...]
    new_signals: int | None = None
    cause: ClassVar[str] = ProfileRevision.Cause.GENERATION

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        kept = [d for d in drafts if d.pinned or d.origin == Statement.Origin.USER]
        known = {d.embedded_text.casefold() for d in kept}
        fresh = [d for d in self.generated if d.embedded_text.casefold() not in known]
        merged = [
            d
            for polarity in (LIKE, AVOID)
            for group in (kept, fresh)
            for d in group
            if d.polarity == polarity
        ]
        # Running the writer twice is the same as running it once.
        return Applied(
            merged,
            self._label(drafts, merged),
            changed=not same_statements(merged, drafts),
        )

    def _label(self, before: list[StatementDraft], after: list[StatementDraft]) -> str:
        """What the run did, in words: "Written again from 5 new ratings: +1
        line, 1 line reworded" (see generated_changes)."""
        if not any(d.origin == Statement.Origin.GENERATED for d in before):
            new = [d for d in after if d.origin == Statement.Origin.GENERATED]
            return f"Written from your ratings: {_lines(len(new))}."
        changes = generated_changes(before, after)
        added, removed = len(changes.added), len(changes.removed)
        reworded = len(changes.reworded)
        parts = [
            f"+{_lines(added)}" if added else "",
            f"−{_lines(removed)}" if removed else "",
            f"{_lines(reworded)} reworded" if reworded else "",
        ]
        parts = [part for part in parts if part] or ["examples updated"]
        source = (
            f"{self.new_signals} new rating{'s' if self.new_signals != 1 else ''}"
            # A count that fell (ratings taken back) says nothing about new ones.
            if self.new_signals and self.new_signals > 0
            else "your ratings"
        )
        return f"Written again from {source}: {', '.join(parts)}."


@dataclass(frozen=True)
class GeneratedChanges:
    """How the writer's lines differ between two statement lists."""

    added: list[StatementDraft]  # new lines standing for a new group
    removed: list[StatementDraft]  # lines whose group is gone
    reworded: list[tuple[StatementDraft, StatementDraft]]  # (before, after): same group
    kept: list[StatementDraft]  # the same words (their examples may change)


def generated_changes(
    before: Sequence[StatementDraft], after: Sequence[StatementDraft]
) -> GeneratedChanges:
    """Lines added, removed, reworded and kept among the generated ones.

    A line keeps its identity by its words; a new line that stands for
    mostly the same items as a line that went (half the smaller group) is
    that line reworded, not a removal and an addition. Each old line is
    matched once, so two new lines never both reword it.
    """
    old = [d for d in before if d.origin == Statement.Origin.GENERATED]
    new = [d for d in after if d.origin == Statement.Origin.GENERATED]
    old_words = {d.embedded_text for d in old}
    new_words = {d.embedded_text for d in new}
    gone = [d for d in old if d.embedded_text not in new_words]
    added, reworded = [], []
    for draft in (d for d in new if d.embedded_text not in old_words):
        match = next(
            (g for g in gone if _same_group(draft, g) and g.polarity == draft.polarity), None
        )
        if match is None:
            added.append(draft)
        else:
            gone.remove(match)
            reworded.append((match, draft))
    kept = [d for d in new if d.embedded_text in old_words]
    return GeneratedChanges(added, gone, reworded, kept)


def _lines(count: int) -> str:
    return f"{count} line{'s' if count != 1 else ''}"


def _same_group(a: StatementDraft, b: StatementDraft) -> bool:
    """Whether two lines stand for mostly the same items (half the smaller group)."""
    shared = len(set(a.evidence) & set(b.evidence))
    return shared * 2 >= min(len(a.evidence), len(b.evidence)) > 0


def profile_generation_save(
    *,
    user,
    drafts: Sequence[StatementDraft],
    interactions: int,
    placed: Sequence[int] = (),
    requested_before=None,
    base_revision: int | None = None,
) -> ProfileRevision | None:
    """Merge the profile writer's lines (MergeGenerated) and note when it ran.

    ``interactions``: how many signals the lines were written from, so the
    next regeneration is due only after enough new ones. ``placed``: the
    positives the writer put in some line (Profile.placed_items). A "write it
    again" request made before ``requested_before`` (when the writer started
    reading the ratings) is answered and cleared; a later one waits for the
    next run. ``base_revision``: the revision a person saw the new lines
    against ("write it again", previewed); a profile that moved on since is
    a ProfileConflict, and nothing is written. Returns the new revision, or
    None when nothing changed.
    """
    with transaction.atomic():
        before = Profile.objects.filter(user=user).first()
        new_signals = before.signals_since_generation(interactions) if before else None
        change = profile_edit(
            user=user,
            edit=MergeGenerated(tuple(drafts), new_signals),
            base_revision=base_revision,
        )
        profile = Profile.objects.filter(user=user)
        profile.update(
            generated_at=timezone.now(),
            interactions_at_generation=interactions,
            placed_items=list(placed),
        )
        if requested_before is not None:
            profile.filter(regeneration_requested_at__lte=requested_before).update(
                regeneration_requested_at=None
            )
    return change.revision


# --- The history behind the profile -----------------------------------------------------


def _title(item_id: int) -> str:
    return Item.objects.filter(pk=item_id).values_list("title", flat=True).first() or ""


@dataclass(frozen=True)
class ExcludeItem(ProfileEdit):
    """Don't use this item (or use it again): a rated item leaves the history signal.

    The rating stays; the item is still never recommended back.
    """

    item_id: int
    excluded: bool = True
    writes_statements: ClassVar[bool] = False

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        interaction_exclude(user=user, item_id=self.item_id, excluded=self.excluded)
        title = _title(self.item_id)
        message = (
            f"{title} is no longer used for your recommendations (your rating stays)."
            if self.excluded
            else f"{title} is used for your recommendations again."
        )
        return Applied(drafts, message, ExcludeItem(self.item_id, not self.excluded))


@dataclass(frozen=True)
class RateItem(ProfileEdit):
    """Change my rating of an item in the history (``value`` None takes it back)."""

    item_id: int
    value: float | None
    writes_statements: ClassVar[bool] = False

    def apply(self, drafts: list[StatementDraft], *, user) -> Applied:
        old = (
            Interaction.objects.filter(
                user=user, item_id=self.item_id, kind=Interaction.Kind.RATING
            )
            .values_list("value", flat=True)
            .first()
        )
        interaction_rating_change(user=user, item_id=self.item_id, value=self.value)
        title = _title(self.item_id)
        message = (
            f"You rated {title} {self.value:g}."
            if self.value is not None
            else f"Rating of {title} removed."
        )
        return Applied(drafts, message, RateItem(self.item_id, old))
