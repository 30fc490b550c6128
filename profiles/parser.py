"""Profile text <-> statements. One parser, used by the website, the API and imports.

Plain Python, no Django: a profile is plain text such as

    Likes:
    - Slow-burn science fiction about first contact
    - Witty courtroom dramas (strong)
    Avoids:
    - Gory slasher horror

and every line becomes one statement with a polarity (like or avoid), a weight
(0 to 1) and the text that gets embedded. Sentence embeddings do not
understand negation ("I don't like horror" sits close to horror films), so
negation is parsed here and removed from the embedded text; the polarity
carries it instead.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from profiles import phrasing, verdict
from recsite.errors import ApplicationError

LIKE = "like"
AVOID = "avoid"
# A line's chosen concept (profiles.models.Statement.concept): CONCEPT_OFF acts
# by meaning alone; a tag's label is TAG_PREFIX and the tag ("tag:zombie"),
# a category's its name.
CONCEPT_OFF = "-"
TAG_PREFIX = "tag:"
# A line acting on several labels ("jazz and blues") stores them joined by
# CONCEPT_SEP ("Jazz|Blues"); one label is stored alone, as it always was.
# MovieLens joins genres with it, so no category name carries it.
CONCEPT_SEP = "|"


def concept_labels(concept: str) -> tuple[str, ...]:
    """The labels a stored concept names, in order ("" and CONCEPT_OFF: none)."""
    if concept in ("", CONCEPT_OFF):
        return ()
    parts = (" ".join(p.split()) for p in concept.split(CONCEPT_SEP))
    return tuple(dict.fromkeys(p for p in parts if p))


MAX_STATEMENTS = 50
MAX_STATEMENT_LENGTH = 300
MAX_TOTAL_LENGTH = 8000

_LIKE_HEADERS = {"likes", "like", "i like", "loves", "love", "more of", "interests", "yes"}
_AVOID_HEADERS = {
    "avoids",
    "avoid",
    "dislikes",
    "dislike",
    "not for me",
    "less of",
    "no",
    "never",
    "no thanks",
}
# A header's name: words only. Matched whole (fullmatch) on the text before the
# first colon, never searched for: every pattern here runs in linear time.
_HEADER_NAME = re.compile(r"[^\W\d_][\w' ]*")
_BULLET = re.compile(r"^\s*(?:[-*•–—+]|\d{1,2}[.)])\s+")

# Strength markers at the end of a line, and the weight each stands for.
STRENGTH_MARKERS = {
    "strong": 1.0,
    "strongly": 1.0,
    "a lot": 1.0,
    "very": 1.0,
    "somewhat": 0.6,
    "some": 0.6,
    "medium": 0.6,
    "a bit": 0.4,
    "a little": 0.4,
    "slightly": 0.4,
    "mild": 0.4,
    "weak": 0.2,
    "barely": 0.2,
}
# When rendering, each weight that has a word gets that word back.
_MARKER_FOR_WEIGHT = {1.0: None, 0.6: "somewhat", 0.4: "a little", 0.2: "barely"}
# What may stand inside the parentheses that end a line: a marker or a weight.
_MARKER = re.compile(
    "|".join(sorted(map(re.escape, STRENGTH_MARKERS), key=len, reverse=True))
    + r"|(?:weight\s*)?(?:0(?:\.\d{1,2})?|1(?:\.0{1,2})?|\.\d{1,2})",
    re.IGNORECASE,
)
# Longer than this, a line is refused before any pattern looks at it: a
# statement (300) with its bullet, header and strength marker fits easily.
MAX_LINE_LENGTH = 2 * MAX_STATEMENT_LENGTH
# NUL and lone surrogates: the database cannot store them and no keyboard types them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Where a line turns from what the person likes to what they do not: "X but
# less Y", "X, but not Y", "X without the Y", "X with no Y". A negative word
# after a comma, dash or "but" splits; "without" and its kin split anywhere.
_TURN = re.compile(
    r"(?:\s*[,;]\s*|\s+[-–—]\s+|\s+(?:but|though|although|yet)\s+)"
    r"(?:(?:but|though|although|yet|just|only|maybe|please|and|just)\s+)*"
    r"(?P<rest>(?:not|no|less|fewer|without|minus|sans|except|excluding|nothing|never"
    r"|hold the|skip|zero|none of|apart from|other than)\b(?!-))"
    r"|\s+(?:with\s+)?(?P<without>(?:without|minus|sans|except|excluding|apart from"
    r"|other than)\b(?!-))"
    r"|\s+with\s+(?P<with>(?:less|fewer|no|zero|nothing)\b(?!-))",
    re.IGNORECASE,
)
# The other way round: "no horror, but thrillers are fine", "less gore, more mystery".
_BACK_TURN = re.compile(
    r"\s*[,;]\s*(?:but\s+|just\s+|only\s+|instead\s+|rather\s+)?(?=\w)"
    r"|\s+but\s+(?:just\s+|only\s+|instead\s+|rather\s+)?(?=\w)",
    re.IGNORECASE,
)
_EDGES = " ,;:.!?-–—"
MAX_TURN_TRIES = 4
_BARE_NUMBER = re.compile(r"\d{1,2}[.)]")
_Polar = TypeVar("_Polar")  # anything with a ``polarity``


@dataclass(frozen=True)
class ParsedStatement:
    text: str  # as typed, without bullet and strength marker
    polarity: str  # LIKE or AVOID
    weight: float  # 0..1
    embedded_text: str  # what the encoder sees: negation and "I love" removed
    # The section the line was typed under (LIKE, AVOID; "" not known): when
    # its words overrode it, the editor shows the line with a switch.
    section: str = field(default="", compare=False)


class ProfileTextError(ApplicationError):
    """The text breaks a rule; ``line`` is 1-based (None for the whole text)."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(
            f"line {line}: {problem}" if line else problem,
            extra={"field": "text", "line": line},
        )
        self.line = line


def _section(name: str) -> str | None:
    key = " ".join(name.lower().split())
    if key in _LIKE_HEADERS:
        return LIKE
    if key in _AVOID_HEADERS:
        return AVOID
    return None


def _marker_weight(marker: str) -> float:
    marker = " ".join(marker.lower().split())
    if marker in STRENGTH_MARKERS:
        return STRENGTH_MARKERS[marker]
    return round(float(marker.removeprefix("weight").strip()), 2)


def _split_marker(text: str) -> tuple[str, str | None]:
    """("space opera", "somewhat") for "space opera (somewhat)"; the marker is None if none.

    Found by position (the last "(" of a line ending in ")"), not by a
    searching pattern: a search for "spaces, then (" is quadratic on a
    line of spaces.
    """
    if not text.endswith(")"):
        return text, None
    start = text.rfind("(")
    inner = text[start + 1 : -1].strip()
    if start < 0 or not _MARKER.fullmatch(inner):
        return text, None
    return text[:start].rstrip(), inner


def _header(line: str) -> tuple[str, str] | None:
    """(section, rest) when ``line`` opens a section ("Avoids: gore"), else None."""
    name, colon, rest = line.partition(":")
    name = name.strip()
    if not colon or not _HEADER_NAME.fullmatch(name) or _section(name) is None:
        return None
    return _section(name), rest.strip()


def storable(text: str) -> bool:
    """False for text holding NUL or a lone surrogate (JSON can carry both)."""
    return not _UNSTORABLE.search(text)


def check_text(text: str, *, limit: int = MAX_TOTAL_LENGTH) -> None:
    """The limits every text meets before the parser reads it.

    Called first wherever text enters (editor, API, imports, onboarding,
    steering): length, line length and characters are checked in one
    linear pass, so a huge or hostile body is refused before any pattern
    runs over it.
    """
    if len(text) > limit:
        what = "profile" if limit == MAX_TOTAL_LENGTH else "line"
        raise ProfileTextError(f"the {what} is {len(text)} characters long; the limit is {limit}")
    bad = _UNSTORABLE.search(text)
    if bad:
        line = len(text[: bad.start()].splitlines()) or 1
        raise ProfileTextError("a NUL or a lone surrogate cannot be stored", line)
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_LENGTH:
            raise ProfileTextError(
                f"this line is {len(line)} characters long; a statement may have at most "
                f"{MAX_STATEMENT_LENGTH}",
                number,
            )


def _clean(line: str) -> tuple[str, float | None]:
    """The line without bullet, extra spaces and strength marker; the marker's weight."""
    check_text(line, limit=MAX_LINE_LENGTH)
    # Runs of spaces are one space: what is stored reads as typed, and no
    # pattern below ever sees a run to backtrack over.
    text = " ".join(_BULLET.sub("", line, count=1).split())
    text, marker = _split_marker(text)
    return text, _marker_weight(marker) if marker else None


def _statement(text: str, section: str, marker: float | None) -> ParsedStatement:
    """One clause read by ``phrasing``: the words decide the polarity where they
    say it; where they do not, the section does. Words that sound like a
    like ("anything with zombies") never turn an Avoids line into a like:
    only explicit avoidance overrides a header."""
    reading = phrasing.read(text)
    if reading.polarity is None:
        # Words the lists do not know: a verdict after the topic, by meaning
        # ("dramas bum me out"); the editor shows such a line with a switch.
        found = verdict.read_cached(text)
        if found:
            reading = phrasing.Reading(found[0], reading.weight, phrasing.topic_of(found[1]))
    polarity = section
    if reading.polarity == AVOID or (reading.polarity == LIKE and section == LIKE):
        polarity = reading.polarity
    weight = marker if marker is not None else reading.weight or 1.0
    return ParsedStatement(
        text=text,
        polarity=polarity,
        weight=weight,
        embedded_text=reading.topic,
        section=section,
    )


def _has_words(text: str) -> bool:
    """False for a line with nothing in it: punctuation, or a numbered bullet alone ("1.")."""
    return any(c.isalnum() for c in text) and not _BARE_NUMBER.fullmatch(text)


def _turns(text: str) -> tuple[str, str] | None:
    """(what is liked, what is not) when a Likes line turns midway, else None.

    A line that reads as an avoid as a whole ("X, never again", "X - not
    for me") does not turn forward: its second half is how it says so.
    """
    forward = phrasing.read(text).polarity != AVOID
    for pattern in (_TURN, _BACK_TURN) if forward else (_BACK_TURN,):
        # The first few places a line could turn: each try reads both halves,
        # and a line of a hundred commas must stay cheap.
        for match in itertools.islice(pattern.finditer(text), MAX_TURN_TRIES):
            first = text[: match.start()].strip(_EDGES)
            second = text[match.start(match.lastgroup) if match.lastgroup else match.end() :]
            second = second.strip(_EDGES)
            if not (_has_words(first) and _has_words(second)):
                continue
            one, two = phrasing.read(first).polarity, phrasing.read(second).polarity
            if pattern is _TURN and one != AVOID and two == AVOID:
                return first, second
            if pattern is _BACK_TURN and one == AVOID and two == LIKE:
                return second, first
    return None


def parse_line(line: str, section: str = LIKE) -> list[ParsedStatement]:
    """One line to its statements: none for a line with no words in it ("-",
    "•", "..."), two for a Likes line that turns ("X but not Y": a like and
    an avoid), else one."""
    text, marker = _clean(line)
    if not _has_words(text):
        return []
    turn = _turns(text) if section == LIKE and marker is None else None
    if turn:
        liked, avoided = turn
        return [_statement(liked, LIKE, None), _statement(avoided, AVOID, None)]
    return [_statement(text, section, marker)]


def parse_statement(line: str, section: str = LIKE) -> ParsedStatement | None:
    """One line read as one statement (never split); None for a line with no words."""
    text, marker = _clean(line)
    if not _has_words(text):
        return None
    return _statement(text, section, marker)


def parse_profile(text: str) -> list[ParsedStatement]:
    """Parse a whole profile; raises ProfileTextError naming the line at fault."""
    check_text(text)
    section = LIKE  # lines before any header are things the person likes
    statements: list[ParsedStatement] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        header = None if _BULLET.match(line) else _header(line)
        if header:
            section, line = header
            if not line:
                continue
        for statement in parse_line(line, section):
            _check_statement(statement, number)
            statements.append(statement)
        if len(statements) > MAX_STATEMENTS:
            raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements", number)
    return statements


def typed_sections(text: str) -> dict[str, str]:
    """Each statement's text -> the section it was typed under (LIKE or AVOID)."""
    return {statement.text: statement.section for statement in parse_profile(text)}


def _check_statement(statement: ParsedStatement, number: int) -> None:
    if len(statement.text) > MAX_STATEMENT_LENGTH:
        raise ProfileTextError(
            f"this statement is {len(statement.text)} characters long; "
            f"the limit is {MAX_STATEMENT_LENGTH}",
            number,
        )
    if not statement.embedded_text:
        raise ProfileTextError(f"{statement.text!r} says how, but not what", number)


def render_statement(statement: ParsedStatement) -> str:
    marker = _MARKER_FOR_WEIGHT.get(statement.weight, f"{statement.weight:g}")
    default = parse_statement(statement.text, statement.polarity)
    # The phrase itself may imply a weight ("less X" is 0.5); say it only when
    # the stored weight differs from what the words alone would give.
    if default is not None and default.weight == statement.weight:
        marker = None
    elif marker is None:
        marker = "strong"
    return f"- {statement.text}" + (f" ({marker})" if marker else "")


def polarity_order(statements: Sequence) -> list[int]:
    """The positions of ``statements`` with likes first, then avoids, each kept in order.

    A profile reads as one Likes section and one Avoids section whatever the
    order of its edits ("not this reason" turns a line in the middle of the
    likes into an avoid; onboarding adds likes after the avoids). Works on
    anything with a ``polarity``: parsed statements and drafts alike.
    """
    return sorted(range(len(statements)), key=lambda n: statements[n].polarity == AVOID)


def by_polarity(statements: Sequence[_Polar]) -> list[_Polar]:
    """``statements`` in ``polarity_order``."""
    return [statements[n] for n in polarity_order(statements)]


def render_profile(statements: list[ParsedStatement]) -> str:
    """Statements back to text: one Likes section, then one Avoids section.

    Each section keeps its lines in their order; parsing the result gives
    the statements in ``polarity_order`` (for a stored profile, which
    ``profile_edit`` keeps grouped, the same order).
    """
    lines: list[str] = []
    section = None
    for statement in by_polarity(statements):
        if statement.polarity != section:
            section = statement.polarity
            lines.extend(["", "Likes:" if section == LIKE else "Avoids:"])
        lines.append(render_statement(statement))
    return "\n".join(lines[1:]) + ("\n" if lines else "")
