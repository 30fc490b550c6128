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
