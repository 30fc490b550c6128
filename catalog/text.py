"""The text an item is embedded from, and its hash.

Plain Python (no Django, no ML imports) so that imports, the admin, the
indexing task and offline evaluation all build exactly the same text.
"""

import hashlib
from collections.abc import Mapping, Sequence

# The item fields the text is built from: a change to any of them means a new vector.
TEXT_FIELDS = ("title", "year", "categories", "tags", "description")


def item_text(
    *,
    title: str,
    year: int | None,
    categories: Sequence[str],
    tags: Sequence[str],
    description: str,
) -> str:
    """Title first, then labels, then the description.

    The encoder reads at most 256 word pieces; putting the short, dense parts
    first means a long description is what gets cut, not the title or tags.
    """
    lines = [f"{title} ({year})" if year else title]
    if categories:
        lines.append("Categories: " + ", ".join(categories))
    if tags:
        lines.append("Tags: " + ", ".join(tags))
    if description:
        lines.append(description)
    return "\n".join(lines)


def item_text_of(values: Mapping) -> str:
    """``item_text`` of an import row's values (a missing field counts as empty)."""
    return item_text(
        title=values["title"],
        year=values.get("year"),
        categories=values.get("categories", []),
        tags=values.get("tags", []),
        description=values.get("description", ""),
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
