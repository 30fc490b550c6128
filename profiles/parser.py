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

import re
from dataclasses import dataclass

from recsite.errors import ApplicationError

LIKE = "like"
AVOID = "avoid"

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

# Inline negation: the phrase, then what is left is the thing to avoid. Longer
# phrases first, so "no more" wins over "no". Each maps to a weight: "less X"
# asks for a little less, not for none.
_NEGATIONS: list[tuple[str, float]] = [
    (r"i (?:really )?(?:do not|don't|dont) (?:like|want|enjoy|care for)", 1.0),
    (r"(?:i'm|i am|im) not (?:into|a fan of|interested in)", 1.0),
    (r"not (?:into|a fan of|interested in|keen on)", 1.0),
    (r"(?:i )?(?:really )?(?:hate|dislike|can't stand|cannot stand)", 1.0),
    (r"no more", 1.0),
    (r"nothing (?:with|about|like)", 1.0),
    (r"(?:please )?avoid", 1.0),
    (r"(?:please )?no", 1.0),
    (r"never", 1.0),
    (r"not", 1.0),
    (r"fewer", 0.5),
    (r"less", 0.5),
]
# Filler words a sentence may open with before its negation: "but really not into X".
_OPENERS = r"(?:(?:and|but|also|just|really|honestly|definitely|so|though|please)\s+)*"
_NEGATION = [
    (re.compile(rf"^{_OPENERS}(?:{pattern})\b[\s:,-]*(?P<rest>\S.*)$", re.IGNORECASE), weight)
    for pattern, weight in _NEGATIONS
]
# Positive phrasing is dropped from the embedded text too: "I really love
# space opera" should be embedded as "space opera". Intensity sets the weight.
_AFFIRMATIONS: list[tuple[str, float | None]] = [
    (r"i (?:really|absolutely) (?:love|like|enjoy|adore)", 1.0),
    (r"(?:really|absolutely) (?:love|like|enjoy|adore)", 1.0),
    (r"i (?:kind of|kinda|sort of|somewhat) (?:like|enjoy)", 0.5),
    (r"(?:kind of|kinda|sort of|somewhat) (?:like|enjoy)", 0.5),
    (r"i (?:love|like|enjoy|adore)", None),
    (r"(?:love|enjoy|adore)", None),
    (r"more(?: of)?", None),
]
_AFFIRMATION = [
    (re.compile(rf"^(?:{pattern})\b[\s:,-]*(?P<rest>\S.*)$", re.IGNORECASE), weight)
    for pattern, weight in _AFFIRMATIONS
]


@dataclass(frozen=True)
class ParsedStatement:
    text: str  # as typed, without bullet and strength marker
    polarity: str  # LIKE or AVOID
    weight: float  # 0..1
    embedded_text: str  # what the encoder sees: negation and "I love" removed


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


def parse_statement(line: str, section: str = LIKE) -> ParsedStatement | None:
    """One line (without its section header) to a statement; None for a blank line."""
    check_text(line, limit=MAX_LINE_LENGTH)
    # Runs of spaces are one space: what is stored reads as typed, and no
    # pattern below ever sees a run to backtrack over.
    text = " ".join(_BULLET.sub("", line, count=1).split())
    weight = 1.0
    text, marker = _split_marker(text)
    if marker:
        weight = _marker_weight(marker)
    if not text:
        return None
    polarity = section
    core = text
    for pattern, strength in _NEGATION:
        match = pattern.match(text)
        if match:
            polarity, core = AVOID, match["rest"]
            if not marker:
                weight = strength
            break
    else:
        for pattern, strength in _AFFIRMATION:
            match = pattern.match(text)
            if match:
                core = match["rest"]
                if strength is not None and not marker:
                    weight = strength
                break
    return ParsedStatement(text=text, polarity=polarity, weight=weight, embedded_text=core.strip())


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
        statement = parse_statement(line, section)
        if statement is None:
            continue
        if len(statement.text) > MAX_STATEMENT_LENGTH:
            raise ProfileTextError(
                f"this statement is {len(statement.text)} characters long; "
                f"the limit is {MAX_STATEMENT_LENGTH}",
                number,
            )
        if not statement.embedded_text:
            raise ProfileTextError(f"{statement.text!r} says how, but not what", number)
        statements.append(statement)
        if len(statements) > MAX_STATEMENTS:
            raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements", number)
    return statements


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


def render_profile(statements: list[ParsedStatement]) -> str:
    """Statements back to text, in their order, with a header where polarity changes.

    A profile written as likes then avoids renders as one Likes and one Avoids
    section; parsing the result gives the same statements in the same order.
    """
    lines: list[str] = []
    section = None
    for statement in statements:
        if statement.polarity != section:
            section = statement.polarity
            lines.extend(["", "Likes:" if section == LIKE else "Avoids:"])
        lines.append(render_statement(statement))
    return "\n".join(lines[1:]) + ("\n" if lines else "")
