"""The rationale: a sentence naming the parts that produced an item's score,
and why an item is not in the list."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from engine.scoring.model import (
    LOW_MATCH,
    TERMS,
    HistorySource,
    ProfileStatement,
    Recommendation,
    Scored,
    Settings,
)
from engine.scoring.table import ScoreTable

# Generated lines may end with their examples: "Cozy mysteries (e.g. A, B, C)".
# The rationale quotes the description; the examples are the person's own
# items, which the rationale names when they pulled the item in.
# A generated line's examples: quoted titles (which may hold parentheses of
# their own, "Wings of Desire (Himmel über Berlin, Der)"), or the older
# unquoted list.
_EXAMPLES = re.compile(r"\s*\(e\.g\. (?:“.*”|[^()]*)\)$")


@dataclass(frozen=True)
class ReasonPart:
    """A piece of a rationale: plain words, or a quoted profile line."""

    text: str
    line: int | None = None  # a quote: the position (key) of the line it quotes

    @property
    def quote(self) -> bool:
        return self.line is not None


def _quote(statement: ProfileStatement) -> ReasonPart:
    return ReasonPart(f"“{_EXAMPLES.sub('', statement.text) or statement.text}”", statement.key)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _titles(sources: Sequence[HistorySource]) -> str:
    return " and ".join(s.item.title for s in sources)


def _history_phrase(sources: Sequence[HistorySource]) -> str:
    named = [f"{s.item.title}, which {s.item.action}" for s in sources]
    return "similar to " + " and to ".join(named) if named else "close to what you rated highly"


def _part(scored: Scored, kind: str, what) -> list[ReasonPart]:
    """What one named part says, as parts."""
    if kind == "line":
        said = [ReasonPart("matches "), _quote(what.statement)]
        if what.sources:
            said.append(ReasonPart(f" (like {_titles(what.sources)})"))
        return said
    if kind == "history":
        return [ReasonPart(_history_phrase(scored.sources))]
    if kind == "pop":
        return [ReasonPart(f"popular with {_people(scored.popularity)}")]
    return [ReasonPart("ranked lower as it is close to "), _quote(what.statement)]


def rationale(scored: Scored, *, personalised: bool = True) -> str:
    """One sentence naming only the parts that contributed, largest first."""
    return "".join(part.text for part in reason_parts(scored, personalised=personalised))


def reason_parts(scored: Scored, *, personalised: bool = True) -> tuple[ReasonPart, ...]:
    """The rationale sentence as parts: each quoted profile line is a part of its
    own that knows the line it quotes, so a page can link it without reading
    the sentence again."""
    if not personalised:
        return (
            ReasonPart(
                f"Popular: {_people(scored.popularity)} rated or liked it "
                "(personalisation is off, so your profile and history are not used)."
            ),
        )
    named = scored.named()
    if [kind for kind, _, _ in named] == ["pop"]:
        return (
            ReasonPart(
                f"Popular with {_people(scored.popularity)}; nothing in your profile or "
                "history points to anything more specific yet."
            ),
        )
    if not named:  # every part is zero: no signal at all, and nobody rated it
        return (
            ReasonPart(
                "Nothing in your profile or history points to anything yet; nobody has rated it."
            ),
        )
    sentence: list[ReasonPart] = []
    for number, (kind, what, _) in enumerate(named):
        sentence += ([ReasonPart("; ")] if number else []) + _part(scored, kind, what)
    first = sentence[0]
    sentence[0] = replace(first, text=first.text[0].upper() + first.text[1:])
    return (*sentence, ReasonPart("."))


@dataclass(frozen=True)
class Absence:
    """Why one item is not in the list: a code and a sentence."""

    reason: str  # seen, avoided, category, listed, ranked, low_match, unavailable
    message: str
    rank: int | None = None  # where it would rank among the candidates
    scored: Scored | None = None


def explain_absence(
    table: ScoreTable,
    row: int,
    listed: Sequence[Recommendation],
    *,
    settings: Settings,
) -> Absence:
    """Why the item in ``row`` is not among ``listed``, from the terms that ranked the list."""
    target = table.scored(row)
    for recommendation in listed:
        if recommendation.scored.item_id == target.item_id:
            return Absence(
                "listed",
                f"It is in your list, at number {recommendation.rank}.",
                recommendation.rank,
                target,
            )
    if target.removed and target.avoided:
        return Absence(
            "avoided",
            f"It is filtered out by your line {_quote(target.avoided.statement).text}.",
            None,
            target,
        )
    position = table.ahead_of(row) + 1
    if target.avoided and target.contributions.get("neg", 0) < 0:
        return _pushed_down(target, position, listed)
    if settings.personalised and target.best_match < LOW_MATCH and target.contributions["cf"] <= 0:
        return Absence(
            "low_match",
            f"It matches none of your statements closely and nothing you rated points to it; "
            f"it ranks about number {position}, below the {len(listed)} shown.",
            position,
            target,
        )
    terms = ", ".join(f"{term} {target.contributions[term]:+.2f}" for term in TERMS)
    lead = "" if settings.personalised else "Personalisation is off, so only popularity counts: "
    return Absence(
        "ranked",
        f"{lead}It ranks about number {position}, below the {len(listed)} shown ({terms}).",
        position,
        target,
    )


def _pushed_down(target: Scored, position: int, listed: Sequence[Recommendation]) -> Absence:
    """An avoid line lowered it: name the line, never suggest a line to bring it in.

    "Keeps it out" when the penalty is what stands between it and the list
    (its score without the penalty reaches the lowest listed score), else
    "pushes it down" with where it ranks.
    """
    line = _quote(target.avoided.statement).text
    penalty = -target.contributions["neg"]
    lowest = min((r.scored.score for r in listed), default=float("inf"))
    if target.score + penalty >= lowest:
        message = (
            f"Your line {line} keeps it out: it would score as high as items in your list "
            f"without that line's penalty ({-penalty:+.2f})."
        )
    else:
        message = (
            f"Your line {line} pushes it down ({-penalty:+.2f}); it ranks about number "
            f"{position}, below the {len(listed)} shown."
        )
    return Absence("avoided", message, position, target)
