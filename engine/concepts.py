"""The catalog label a profile line names, in the words people use for it.

``scoring.category_label`` matches a line that is exactly a category's name
("Horror", "westerns"). People wrap the name in words that only say which
kind of item they mean: "horror films", "mystery novels", "jazz albums",
"programming courses". Those words are dropped before the exact match, and
nothing else is: "horror with a cooking twist" names no category (its
meaning still acts, engine.scoring), because a label match removes or brings
in a whole category and must be what the person said.
"""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from engine import scoring

# Words that name a kind of item or stand for "things", in the domains the
# catalog holds (films, books, music, courses): never a topic on their own.
FORMAT_WORDS = frozenset(
    """
    film films movie movies flick flicks cinema picture pictures feature features show shows
    series tv programme programmes program programs episodes book books novel novels read
    reads fiction literature writing story stories tale tales title titles volume volumes
    comic comics music song songs track tracks album albums record records tune tunes band
    bands artist artists playlist playlists sound sounds course courses class classes lesson
    lessons lecture lectures tutorial tutorials module modules training podcast podcasts
    audiobook audiobooks stuff things thing ones one kind kinds type types genre genres
    style good great nice decent solid proper any some all more the a an of
    """.split()  # noqa: SIM905
)
_EDGES = string.punctuation + string.whitespace
_PURPOSE = re.compile(
    r"\s+(?:for\s+\w+ing|while|when|during|to\s+(?:fall asleep|relax|study))\b", re.I
)


def _is_format(word: str) -> bool:
    return word.strip(_EDGES).casefold() in FORMAT_WORDS


def _cores(words: list[str]) -> list[str]:
    """The topic with format words taken off its ends, one at a time from the
    end: "science fiction novels" tries "science fiction" before "science"."""
    start = 0
    while start < len(words) and _is_format(words[start]):
        start += 1
    cores, end = [], len(words)
    while end > start:
        if (start, end) != (0, len(words)):
            cores.append(" ".join(words[start:end]))
        if not _is_format(words[end - 1]):
            break
        end -= 1
    return cores


def line_label(topic: str, index: Mapping[str, str]) -> str:
    """The category ``topic`` (a line's embedded text) names, or "" when none clearly.

    1. The whole topic is a category's name (``scoring.category_label``).
    2. Else the topic with format words taken off its ends ("horror films"
       -> "horror", "good old westerns" stays unmatched: "old" is a topic
       word), a possessive too ("children's films" -> Children).
    """
    if not index:
        return ""
    # What the items are for is not what they are: "classical for focusing".
    what = _PURPOSE.split(topic, maxsplit=1)[0]
    for core in [
        topic,
        *_cores(topic.split()),
        *([what, *_cores(what.split())] if what != topic else []),
    ]:
        core = core.removesuffix("'s").removesuffix("\u2019s")
        # "film noir" and "Film-Noir", "hip hop" and "Hip-Hop" are one name.
        for name in (core, core.replace(" ", "-"), core.replace("-", " ")):
            label = scoring.category_label(name, index)
            if label:
                return label
    return ""


@dataclass(frozen=True)
class LineReading:
    """How a line was read, as the editor shows it beside the line before saving."""

    text: str
    polarity: str
    weight: float
    embedded_text: str
    label: str  # the category it acts on, or "": it acts by meaning

    @property
    def how(self) -> str:
        """ "Avoids · acts on: Romance (category)" or "Likes · matched by meaning"."""
        side = "Avoids" if self.polarity == "avoid" else "Likes"
        acts = f"acts on: {self.label} (category)" if self.label else "matched by meaning"
        return f"{side} · {acts}"


def line_readings(drafts, index: Mapping[str, str]) -> list[LineReading]:
    """Each draft line (anything with text, polarity, weight and embedded_text) as read."""
    return [
        LineReading(
            d.text, d.polarity, d.weight, d.embedded_text, line_label(d.embedded_text, index)
        )
        for d in drafts
    ]
