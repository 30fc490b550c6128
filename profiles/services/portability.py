"""A profile as a file: export to JSON or text, and the statements an import stands for."""

from catalog.models import Item
from profiles.models import CONCEPT_MAX_LENGTH, Statement
from profiles.parser import (
    MAX_STATEMENT_LENGTH,
    MAX_STATEMENTS,
    ParsedStatement,
    ProfileTextError,
    parse_profile,
    polarity_order,
    render_profile,
    storable,
)
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
                "concept": d.concept,
                "evidence": [external[i] for i in d.evidence if i in external],
            }
            for d in drafts
        ],
    }


# An export names each statement's evidence by external id; more than this
# many per statement is no export of ours.
MAX_EVIDENCE = 1000
MAX_EXTERNAL_ID = 255


def imported_drafts(data: dict | str) -> list[StatementDraft]:
    """The statements an export (JSON data) or profile text stands for, as the
    person's own lines (``ImportProfile`` writes them).

    Everything goes through the same parser and limits as typing: each
    statement's text is parsed again, so a hand-edited export cannot smuggle
    in a polarity its words contradict. Every entry is checked (types,
    lengths, characters) before anything is parsed or rendered.
    """
    if isinstance(data, str):
        return [StatementDraft.from_parsed(p) for p in parse_profile(data)]
    entries = data.get("statements") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ApplicationError(
            "Expected an exported profile: an object with a list of statements.",
            extra={"field": "statements"},
        )
    if len(entries) > MAX_STATEMENTS:
        raise ProfileTextError(f"a profile holds at most {MAX_STATEMENTS} statements")
    checked = [_imported_statement(number, entry) for number, entry in enumerate(entries, 1)]
    # The text renders likes before avoids: read the entries in that order too.
    order = polarity_order(checked)
    checked, entries = [checked[n] for n in order], [entries[n] for n in order]
    parsed = parse_profile(render_profile(checked))
    external_ids = {e for entry in entries for e in entry.get("evidence", [])}
    items = dict(Item.objects.filter(external_id__in=external_ids).values_list("external_id", "id"))
    return [
        StatementDraft.from_parsed(
            statement,
            origin=Statement.Origin.USER,
            pinned=entry.get("pinned", False),
            concept=entry.get("concept", ""),
            evidence=tuple(sorted(items[e] for e in entry.get("evidence", []) if e in items)),
        )
        for statement, entry in zip(parsed, entries, strict=True)
    ]


def _is_text(value) -> bool:
    return isinstance(value, str) and storable(value)


def _entry_problem(entry) -> tuple[str, str] | None:
    """(field, what is wrong) for one exported statement, or None when it is fine.

    Types are strict: ``"pinned": "no"`` or ``"weight": true`` are mistakes
    to name, not values to guess at.
    """
    if not isinstance(entry, dict):
        return "statements", "is not an object"
    text = entry.get("text")
    if not _is_text(text) or not text.strip() or len(text.splitlines()) > 1:
        return "text", "needs a one-line text without NUL or lone surrogates"
    if len(text.strip()) > MAX_STATEMENT_LENGTH:
        return "text", (
            f"has a text {len(text.strip())} characters long; the limit is {MAX_STATEMENT_LENGTH}"
        )
    if entry.get("polarity", "like") not in Statement.Polarity.values:
        return "polarity", "has a polarity other than like or avoid"
    weight = entry.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
        return "weight", "has a weight that is not a number from 0 to 1"
    if not isinstance(entry.get("pinned", False), bool):
        return "pinned", "has a pinned that is not true or false"
    concept = entry.get("concept", "")
    if not _is_text(concept) or len(concept) > CONCEPT_MAX_LENGTH or "\n" in concept:
        return (
            "concept",
            f"has a concept that is not a label of at most {CONCEPT_MAX_LENGTH} characters",
        )
    evidence = entry.get("evidence", [])
    if (
        not isinstance(evidence, list)
        or len(evidence) > MAX_EVIDENCE
        or not all(_is_text(e) and len(e) <= MAX_EXTERNAL_ID for e in evidence)
    ):
        return "evidence", f"has evidence that is not a list of at most {MAX_EVIDENCE} item ids"
    return None


def _imported_statement(number: int, entry) -> ParsedStatement:
    problem = _entry_problem(entry)
    if problem:
        field, what = problem
        raise ApplicationError(
            f"Statement {number} {what}.",
            extra={"field": "statements", "index": number, "key": field},
        )
    return ParsedStatement(
        text=" ".join(entry["text"].split()),
        polarity=entry.get("polarity", "like"),
        weight=round(float(entry.get("weight", 1.0)), 2),
        embedded_text="",
    )
