"""A typed line that names a catalog item's title stands for that item.

"The Matrix" typed under Likes (in the editor, at onboarding, in place, in
an upload or through the API: every one goes through ``profile_edit``)
gets the item as its evidence when it is written, so its group is that
item: the line pulls in the item's trained neighbours as a rated item would,
and the list quotes the line. The text rules are ``profiles.titles``.
"""

from collections.abc import Sequence
from dataclasses import replace

from django.db.models.functions import Upper

from catalog.models import Item
from profiles.models import Statement
from profiles.services.statements import StatementDraft
from profiles.titles import title_key, title_spellings, title_topic


def _names_category(title: str) -> bool:
    """Whether the catalog has a category spelled as ``title`` (any case):
    "Horror" is the category, never a film called Horror."""
    spellings = list({title, title.lower(), title.upper(), title.title(), title.capitalize()})
    return Item.objects.filter(is_active=True, categories__overlap=spellings).exists()


def _quoted(text: str) -> bool:
    return any(mark in text for mark in '"“”«»')


def titled_drafts(
    drafts: Sequence[StatementDraft], before: Sequence[StatementDraft]
) -> list[StatementDraft]:
    """``drafts`` with each new line the person typed whose topic is an item's
    title given that item as its evidence.

    A line qualifies when the person wrote it (origin user), it has no
    evidence and no chosen concept, and it is new (its text and polarity were
    not in ``before``). Its topic matches a title case-insensitively, with
    whitespace collapsed, quotes and a final full stop dropped, a trailing
    "(1999)" read as the year, and "The Matrix" matching "Matrix, The".
    Several items with that title: the most popular (the one most people
    mean; a remake is rarer), none on a tie (nothing says which). A
    one-word title counts only in quotes or with its year. A topic
    that is exactly a category's name stays a category line. One indexed
    query (``item_title_upper``) for all the lines, and one more per line
    that matched.
    """
    known = {(d.text, d.polarity) for d in before}
    open_lines = {
        n: title_topic(d.embedded_text)
        for n, d in enumerate(drafts)
        if d.origin == Statement.Origin.USER
        and not d.evidence
        and not d.concept
        and (d.text, d.polarity) not in known
        and d.embedded_text.strip()
    }
    # One word is a title only when typed as one, in quotes or with its year:
    # "Likes: jazz" or "Likes: love" means the kind of thing far more often
    # than the film called Jazz or Love, and a line read as the wrong item
    # would pull in that item's neighbours without a word said.
    open_lines = {
        n: (title, year)
        for n, (title, year) in open_lines.items()
        if len(title.split()) > 1 or year is not None or _quoted(drafts[n].text)
    }
    if not open_lines:
        return list(drafts)
    spellings = set()
    for title, year in open_lines.values():
        for spelling in title_spellings(title):
            spellings.add(spelling)
            if year is not None:
                spellings.add(f"{spelling} ({year})")
    rows = (
        Item.objects.filter(is_active=True)
        .annotate(upper_title=Upper("title"))
        .filter(upper_title__in=spellings)
        .values_list("pk", "title", "year", "popularity")
    )
    by_key: dict[str, list[tuple]] = {}
    for row in rows:
        by_key.setdefault(title_key(row[1]), []).append(row)
    result = list(drafts)
    for n, (title, year) in open_lines.items():
        found = by_key.get(title_key(title), [])
        found = [r for r in found if year is None or r[2] in (None, year)]
        if not found:
            continue
        found.sort(key=lambda r: -r[3])
        if len(found) > 1 and found[0][3] == found[1][3]:
            continue
        if _names_category(title):
            continue
        result[n] = replace(result[n], evidence=(found[0][0],))
    return result
