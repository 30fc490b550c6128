"""A typed line's topic read as a catalog item's title: "The Matrix (1999)" -> The Matrix.

Pure text rules, shared by the profile services (which look the title up in
the catalog when a line is written) and the evaluation (which types titles
the way a newcomer would). The database part is ``profiles.services.titles``.
"""

import re

# A trailing "(1999)" names the year; a title is matched without it.
_YEAR = re.compile(r"\s*\((?P<year>\d{4})\)\s*$")
# Quotes around a title and a final full stop or exclamation mark are the
# line's, not the title's ("Alien!", “Heat”).
_QUOTES = "\"'“”‘’«»"
_TRAILING = ".!?,;:"
_LEADING_ARTICLE = re.compile(r"^(?P<article>the|a|an)\s+(?P<name>.+)$", re.IGNORECASE)
_TRAILING_ARTICLE = re.compile(r"^(?P<name>.+),\s*(?P<article>the|a|an)$", re.IGNORECASE)


def title_topic(topic: str) -> tuple[str, int | None]:
    """The title a line's topic may name, whitespace collapsed, and the year typed with it."""
    text = " ".join(topic.split()).strip(_QUOTES + " ").rstrip(_TRAILING + _QUOTES + " ")
    year = None
    found = _YEAR.search(text)
    if found:
        year, text = int(found["year"]), text[: found.start()]
    text = text.rstrip(_TRAILING + " ").strip(_QUOTES + " ")
    return text, year


def title_spellings(title: str) -> list[str]:
    """The spellings of a title a catalog may store, upper-cased: as typed, and
    with its leading article moved to the end or back ("Matrix, The")."""
    spellings = [title]
    leading = _LEADING_ARTICLE.match(title)
    trailing = _TRAILING_ARTICLE.match(title)
    if leading:
        spellings.append(f"{leading['name']}, {leading['article']}")
    if trailing:
        spellings.append(f"{trailing['article']} {trailing['name']}")
    return [s.upper() for s in spellings if s]


def title_key(title: str) -> str:
    """One key for the spellings of a title: upper case, a trailing article moved to the front."""
    text, _ = title_topic(title)
    trailing = _TRAILING_ARTICLE.match(text)
    if trailing:
        text = f"{trailing['article']} {trailing['name']}"
    return text.upper()
