"""A profile as a file: export to JSON or text, and the statements an import stands for."""

from catalog.models import Item
from profiles.models import Statement
from profiles.parser import ParsedStatement, parse_profile, render_profile
from profiles.services.statements import StatementDraft, profile_drafts, profile_for
from recsite.errors import ApplicationError

EXPORT_VERSION = 1


def profile_export(*, user) -> dict:
    """The profile as JSON-ready data (statements with their evidence by external id)."""
    profile = profile_for(user)
    drafts = profile_drafts(profile)
    external = dict(
        Item.objects.filter(id__in={i for d in drafts for i in d.evidence}).values_list(
            "id", "external_id"
        )
    )
    return {
        "format": "recsite-profile",
        "version": EXPORT_VERSION,
        "revision": profile.revision,
        "balance": profile.balance,
        "text": render_profile([d.parsed() for d in drafts]),
        "statements": [
            {
                "text": d.text,
                "polarity": d.polarity,
                "weight": d.weight,
                "origin": d.origin,
                "pinned": d.pinned,
                "evidence": [external[i] for i in d.evidence if i in external],
            }
            for d in drafts
        ],
    }


def imported_drafts(data: dict | str) -> list[StatementDraft]:
    """The statements an export (JSON data) or profile text stands for, as the
    person's own lines (``ImportProfile`` writes them).

    Everything goes through the same parser and limits as typing: each
    statement's text is parsed again, so a hand-edited export cannot smuggle
    in a polarity its words contradict.
    """
    if isinstance(data, str):
        return [StatementDraft.from_parsed(p) for p in parse_profile(data)]
    entries = data.get("statements") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ApplicationError(
            "Expected an exported profile: an object with a list of statements.",
            extra={"field": "statements"},
        )
    text = render_profile(
        [_imported_statement(number, entry) for number, entry in enumerate(entries, 1)]
    )
    parsed = parse_profile(text)
    external_ids = {e for entry in entries for e in entry.get("evidence", [])}
    items = dict(Item.objects.filter(external_id__in=external_ids).values_list("external_id", "id"))
    return [
        StatementDraft.from_parsed(
            statement,
            origin=Statement.Origin.USER,
            pinned=bool(entry.get("pinned", False)),
            evidence=tuple(sorted(items[e] for e in entry.get("evidence", []) if e in items)),
        )
        for statement, entry in zip(parsed, entries, strict=True)
    ]


def _imported_statement(number: int, entry) -> ParsedStatement:
    problem = None
    if not isinstance(entry, dict):
        problem = "is not an object"
    elif (
        not isinstance(entry.get("text"), str)
        or not entry["text"].strip()
        or len(entry["text"].splitlines()) > 1
    ):
        problem = "needs a one-line text"
    elif entry.get("polarity", "like") not in Statement.Polarity.values:
        problem = "has a polarity other than like or avoid"
    elif (
        not isinstance(entry.get("weight", 1.0), int | float)
        or not 0 <= entry.get("weight", 1.0) <= 1
    ):
        problem = "has a weight outside 0-1"
    elif not isinstance(entry.get("evidence", []), list) or not all(
        isinstance(external_id, str) for external_id in entry.get("evidence", [])
    ):
        problem = "has evidence that is not a list of item ids"
    if problem:
        raise ApplicationError(
            f"Statement {number} {problem}.", extra={"field": "statements", "index": number}
        )
    return ParsedStatement(
        text=entry["text"].strip(),
        polarity=entry.get("polarity", "like"),
        weight=round(float(entry.get("weight", 1.0)), 2),
        embedded_text="",
    )
