"""Parsing the generic catalog formats (JSON Lines, CSV) into validated rows.

Parsing never touches the database. The readers yield rows one at a time,
each checked as it is read, so an import holds one batch in memory, not the
file; the import writes them inside one transaction, so a bad line anywhere
still leaves the database as it was (all or nothing), and every error names
its file, line and field. Every file is read within ImportLimits: the longest
line, the size once unpacked, labels and metadata per row (settings
CATALOG_IMPORT_*, named in the errors).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from recsite.errors import ImportFileError
from recsite.files import Limit, csv_records, text_lines

MAX_EXTERNAL_ID = 255
MAX_TITLE = 500
MAX_LABEL = 100  # one category or tag
YEAR_RANGE = (0, 2200)

ITEM_FIELDS = (
    "external_id",
    "title",
    "description",
    "categories",
    "tags",
    "year",
    "metadata",
    "is_active",
)


@dataclass(frozen=True)
class ImportLimits:
    """What one catalog file may hold; each limit names its setting in an error."""

    line_bytes: Limit
    unpacked_bytes: Limit
    labels: Limit
    metadata_bytes: Limit

    @classmethod
    def from_settings(cls, *, upload: bool = False) -> "ImportLimits":
        """The command line's limits, or (``upload``) those of a file sent to the web."""
        unpacked = (
            "CATALOG_UPLOAD_MAX_UNPACKED_BYTES" if upload else "CATALOG_IMPORT_MAX_UNPACKED_BYTES"
        )
        return cls(
            line_bytes=_setting("CATALOG_IMPORT_MAX_LINE_BYTES"),
            unpacked_bytes=_setting(unpacked),
            labels=_setting("CATALOG_IMPORT_MAX_LABELS", unit="entries"),
            metadata_bytes=_setting("CATALOG_IMPORT_MAX_METADATA_BYTES"),
        )


def _setting(name: str, unit: str = "bytes") -> Limit:
    return Limit(getattr(settings, name), name, unit)


@dataclass(frozen=True)
class ItemRow:
    """One item as read from a file; ``values`` holds only the fields it gave."""

    source: str
    line: int
    external_id: str
    values: dict[str, Any] = field(default_factory=dict)


class _RowProblem(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        self.field = field
        self.problem = problem


def _text(name: str, value: Any, *, max_length: int, required: bool) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _RowProblem(name, f"expected text, got {json.dumps(value)[:40]}")
    text = str(value).strip()
    if required and not text:
        raise _RowProblem(name, "must not be empty")
    if len(text) > max_length:
        raise _RowProblem(name, f"longer than {max_length} characters")
    return text


def _labels(name: str, value: Any, limit: Limit) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _RowProblem(name, "expected a list of strings")
    if len(value) > limit.value:
        raise _RowProblem(name, f"{len(value):,} entries, more than {limit}")
    # A dict keeps the first of each label in order, with constant-time lookups.
    labels: dict[str, None] = {}
    for entry in value:
        if not isinstance(entry, str):
            raise _RowProblem(name, f"expected a list of strings, found {json.dumps(entry)[:40]}")
        label = " ".join(entry.split())
        if len(label) > MAX_LABEL:
            raise _RowProblem(name, f"entry longer than {MAX_LABEL} characters: {label[:40]!r}...")
        if label:
            labels[label] = None
    return list(labels)


def metadata_size(metadata: dict[str, Any]) -> int:
    """Bytes of ``metadata`` as compact UTF-8 JSON: what is stored and served."""
    return len(json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode())


def _metadata(value: Any, limit: Limit) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _RowProblem("metadata", "expected a JSON object")
    try:
        size = metadata_size(value)
    except RecursionError:  # the encoder recurses once per level of nesting
        raise _RowProblem("metadata", "nested too deeply") from None
    if size > limit.value:
        raise _RowProblem("metadata", f"{size:,} bytes as JSON, more than {limit}")
    return value


def parse_year(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise _RowProblem(name, f"expected a whole year such as 1999, got {json.dumps(value)[:40]}")
    low, high = YEAR_RANGE
    if not low <= value <= high:
        raise _RowProblem(name, f"year {value} is outside {low}-{high}")
    return value


def has_nul(value: Any) -> bool:
    """Whether text anywhere in ``value`` (keys included) holds the NUL character.

    PostgreSQL stores no NUL in text or JSON, so saving one fails in the
    database; it is refused as bad input first.
    """
    # A stack, not recursion: JSON nested as deep as the parser allows must
    # not overflow Python's stack here.
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _item_values(obj: dict[str, Any], limits: ImportLimits) -> tuple[str, dict[str, Any]]:
    unknown = sorted(set(obj) - set(ITEM_FIELDS))
    if unknown:
        raise _RowProblem(unknown[0], f"unknown field (allowed: {', '.join(ITEM_FIELDS)})")
    for name, value in obj.items():
        if has_nul(value):
            raise _RowProblem(name, "contains the NUL character (\\u0000), which cannot be stored")
    for required in ("external_id", "title"):
        if required not in obj:
            raise _RowProblem(required, "is required")
    external_id = _text(
        "external_id", obj["external_id"], max_length=MAX_EXTERNAL_ID, required=True
    )
    values: dict[str, Any] = {
        "title": _text("title", obj["title"], max_length=MAX_TITLE, required=True)
    }
    if "description" in obj:
        values["description"] = _text(
            "description", obj["description"], max_length=100_000, required=False
        )
    for name in ("categories", "tags"):
        if name in obj:
            values[name] = _labels(name, obj[name], limits.labels)
    if "year" in obj:
        values["year"] = parse_year("year", obj["year"])
    if "metadata" in obj:
        values["metadata"] = _metadata(obj["metadata"], limits.metadata_bytes)
    if "is_active" in obj:
        if not isinstance(obj["is_active"], bool):
            raise _RowProblem("is_active", "expected true or false")
        values["is_active"] = obj["is_active"]
    return external_id, values


def item_row(
    source: str, line: int, obj: dict[str, Any], limits: ImportLimits | None = None
) -> ItemRow:
    """Validate one item given as a dict (from any format) and return its row."""
    try:
        external_id, values = _item_values(obj, limits or ImportLimits.from_settings())
    except _RowProblem as problem:
        raise ImportFileError(
            path=source, line=line, field=problem.field, problem=problem.problem
        ) from None
    return ItemRow(source=source, line=line, external_id=external_id, values=values)


def _lines(path: Path, limits: ImportLimits):
    return text_lines(
        path, max_line_bytes=limits.line_bytes, max_unpacked_bytes=limits.unpacked_bytes
    )


def iter_items_jsonl(path: Path, limits: ImportLimits | None = None) -> Iterator[ItemRow]:
    """Read a JSON Lines catalog file, yielding each row once it is validated.

    Blank lines are skipped. The same external_id twice in one file is an
    error: which of the two the user meant cannot be guessed. A file with
    no item is an error too, raised once the whole file is read.
    """
    limits = limits or ImportLimits.from_settings()
    source = str(path)
    first_line: dict[str, int] = {}
    for number, text in _lines(path, limits):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                path=source, line=number, field=None, problem=f"not valid JSON ({exc.msg})"
            ) from None
        except RecursionError:  # the decoder recurses once per level of nesting
            raise ImportFileError(
                path=source, line=number, field=None, problem="JSON nested too deeply"
            ) from None
        if not isinstance(obj, dict):
            raise ImportFileError(
                path=source, line=number, field=None, problem="expected a JSON object per line"
            )
        yield _first_of_its_id(first_line, item_row(source, number, obj, limits))
    if not first_line:
        raise ImportFileError(path=source, line=None, field=None, problem="contains no items")


def _first_of_its_id(first_line: dict[str, int], row: ItemRow) -> ItemRow:
    # The same external_id twice in one file is an error: which of the two
    # the user meant cannot be guessed. Only the ids and their lines are kept
    # for the whole file (about 100 bytes an item), never the rows.
    if row.external_id in first_line:
        raise ImportFileError(
            path=row.source,
            line=row.line,
            field="external_id",
            problem=f"{row.external_id!r} already appears on line {first_line[row.external_id]}",
        )
    first_line[row.external_id] = row.line
    return row


CSV_LABEL_SEPARATOR = "|"
_CSV_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _csv_item(record: dict[str, str]) -> dict[str, Any]:
    """A CSV record as the dict the JSON Lines format would give for it."""
    obj: dict[str, Any] = {}
    for name, text in record.items():
        if name in ("categories", "tags"):
            obj[name] = [label for label in text.split(CSV_LABEL_SEPARATOR) if label.strip()]
        elif name == "metadata":
            try:
                obj[name] = json.loads(text) if text.strip() else {}
            except (json.JSONDecodeError, RecursionError):
                raise _RowProblem(name, "expected a JSON object") from None
        elif name == "is_active":
            if text.strip():  # empty: keep what the item has
                if text.strip().lower() not in _CSV_BOOLEANS:
                    raise _RowProblem(name, "expected true or false")
                obj[name] = _CSV_BOOLEANS[text.strip().lower()]
        else:
            obj[name] = text
    return obj


def iter_items_csv(path: Path, limits: ImportLimits | None = None) -> Iterator[ItemRow]:
    """Read a CSV catalog file with a header row, yielding each row once it is validated.

    The columns are the JSON Lines fields (``external_id`` and ``title``
    required); ``categories`` and ``tags`` hold labels separated by ``|``,
    ``metadata`` a JSON object, ``is_active`` true or false. On update, a
    column the file does not have keeps each item's current value.
    """
    limits = limits or ImportLimits.from_settings()
    source = str(path)
    first_line: dict[str, int] = {}
    records = csv_records(
        path,
        required=("external_id", "title"),
        allowed=ITEM_FIELDS,
        max_line_bytes=limits.line_bytes,
        max_unpacked_bytes=limits.unpacked_bytes,
    )
    for number, record in records:
        try:
            obj = _csv_item(record)
        except _RowProblem as problem:
            raise ImportFileError(
                path=source, line=number, field=problem.field, problem=problem.problem
            ) from None
        yield _first_of_its_id(first_line, item_row(source, number, obj, limits))
    if not first_line:
        raise ImportFileError(path=source, line=None, field=None, problem="contains no items")


def iter_items_file(path: Path, limits: ImportLimits | None = None) -> Iterator[ItemRow]:
    """Read a catalog file in the format its name says: .jsonl or .csv, gzipped or not."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".jsonl"):
        return iter_items_jsonl(path, limits)
    if name.endswith(".csv"):
        return iter_items_csv(path, limits)
    raise ImportFileError(
        path=str(path),
        line=None,
        field=None,
        problem="expected a .jsonl or .csv file (or either gzipped, .gz)",
    )


def read_items_jsonl(path: Path) -> list[ItemRow]:
    """Every row of a JSON Lines catalog file, validated (for small files: tests, evaluation)."""
    return list(iter_items_jsonl(path))


def read_items_csv(path: Path) -> list[ItemRow]:
    """Every row of a CSV catalog file, validated."""
    return list(iter_items_csv(path))


def read_items_file(path: Path) -> list[ItemRow]:
    """Every row of a .jsonl or .csv catalog file (gzipped or not), validated."""
    return list(iter_items_file(path))
