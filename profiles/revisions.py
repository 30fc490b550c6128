"""Comparing two revisions of a profile (plain Python, no Django)."""

import difflib
from typing import Any

Snapshot = list[dict[str, Any]]
_COMPARED = ("polarity", "weight", "pinned")


def revision_diff(old: Snapshot, new: Snapshot) -> dict[str, list]:
    """Lines added, removed and changed from ``old`` to ``new``.

    Lines are matched by their text in order (difflib), so a reworded line at
    the same place is one change rather than a removal plus an addition, and
    a line whose text stayed but whose polarity, weight or pin changed is a
    change too.
    """
    added: list[dict] = []
    removed: list[dict] = []
    changed: list[dict] = []
    matcher = difflib.SequenceMatcher(
        a=[s["text"] for s in old], b=[s["text"] for s in new], autojunk=False
    )
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            for before, after in zip(old[a_start:a_end], new[b_start:b_end], strict=True):
                if any(before.get(key) != after.get(key) for key in _COMPARED):
                    changed.append({"before": before, "after": after})
            continue
        pairs = min(a_end - a_start, b_end - b_start) if op == "replace" else 0
        for offset in range(pairs):
            changed.append({"before": old[a_start + offset], "after": new[b_start + offset]})
        removed.extend(old[a_start + pairs : a_end])
        added.extend(new[b_start + pairs : b_end])
    return {"added": added, "removed": removed, "changed": changed}


# --- Revisions and strengths in words (labels, messages, the history) -----------------

# The strength scale's steps (services.statements.STRENGTH_SCALE) and how a
# person would say each; a weight between two steps reads as the nearer one.
_STRENGTH_WORDS = ((1.0, "fully"), (0.8, "strongly"), (0.6, "somewhat"), (0.4, "a little"))
_BARELY = "barely"

# What a revision without a label (older than labels) did, by its cause.
CAUSE_WORDS = {
    "edit": "You changed your profile",
    "generation": "Written from your ratings",
    "undo": "Went back to an earlier version",
    "import": "Loaded from a file",
}


def strength_words(weight: float) -> str:
    """How much a line counts, as a person would say it: "fully", "a little".

    Never the number: 0.6 means nothing to someone who has not read the code.
    """
    if weight <= 0:
        return "not at all"
    for step, words in _STRENGTH_WORDS:
        if weight >= step - 0.1:
            return words
    return _BARELY


def revision_words(label: str, cause: str) -> str:
    """What a revision did: its label, or for an older one its cause in words."""
    return label or CAUSE_WORDS.get(cause, "Changed")


def restore_label(*, number: int, current: int, undone: str, when: str) -> str:
    """The label of a revision that brings revision ``number`` back.

    Going back one step undoes the latest change, named by what it did
    (``undone``); further back, by when that version was (``when``).
    """
    undone = undone.rstrip(".")
    if number == current - 1:
        return f"Undid: {undone}."
    if not when:  # revision 0: the profile before its first change
        return f"Back to the empty profile, before: {undone}."
    return f"Back to your profile as it was on {when}, before: {undone}."
