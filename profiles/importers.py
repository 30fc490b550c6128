"""Parsing interaction files (CSV) into validated rows, without the database."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from profiles.models import RATING_MAX, RATING_MIN, Interaction
from recsite.errors import ImportFileError
from recsite.files import csv_records

MAX_USER_ID = 150  # Django's username length
INTERACTION_COLUMNS = ("user", "item", "kind", "value", "timestamp")
REQUIRED_COLUMNS = ("user", "item", "kind")


@dataclass(frozen=True)
class InteractionRow:
    source: str
    line: int
    user: str
    item: str
    kind: str
    value: float | None
    timestamp: datetime | None  # None: the time of the import


class RowProblem(Exception):
    def __init__(self, field: str | None, problem: str) -> None:
        self.field = field
        self.problem = problem


def parse_timestamp(raw: str) -> datetime | None:
    """Unix seconds (``1216052800`` or ``1216052800.5``) or ISO 8601; naive means UTC."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except ValueError:
        pass
    except (OverflowError, OSError):
        raise RowProblem("timestamp", f"{raw!r} is out of range") from None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise RowProblem(
            "timestamp", f"{raw!r} is neither unix seconds nor an ISO 8601 date-time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_rating(raw: str, *, field: str = "value") -> float:
    try:
        value = float(raw)
    except ValueError:
        raise RowProblem(field, f"{raw!r} is not a number") from None
    if not RATING_MIN <= value <= RATING_MAX:
        raise RowProblem(field, f"rating {raw} is outside {RATING_MIN:g}-{RATING_MAX:g}")
    return value


def interaction_row(source: str, line: int, record: dict[str, str]) -> InteractionRow:
    """Validate one interaction given as column -> text."""
    try:
        user = record["user"].strip()
        item = record["item"].strip()
        if not user:
            raise RowProblem("user", "must not be empty")
        if len(user) > MAX_USER_ID:
            raise RowProblem("user", f"longer than {MAX_USER_ID} characters")
        if not item:
            raise RowProblem("item", "must not be empty")
        kind = record["kind"].strip().lower()
        if kind not in Interaction.Kind.values:
            raise RowProblem("kind", f"{kind!r} is not one of {', '.join(Interaction.Kind.values)}")
        raw_value = (record.get("value") or "").strip()
        if kind == Interaction.Kind.RATING:
            if not raw_value:
                raise RowProblem("value", "a rating needs a value")
            value = parse_rating(raw_value)
        elif raw_value:
            raise RowProblem("value", f"only ratings carry a value, not {kind!r}")
        else:
            value = None
        timestamp = parse_timestamp(record.get("timestamp") or "")
    except RowProblem as problem:
        raise ImportFileError(
            path=source, line=line, field=problem.field, problem=problem.problem
        ) from None
    return InteractionRow(source, line, user, item, kind, value, timestamp)


def read_interactions_csv(path: Path) -> list[InteractionRow]:
    """Read and validate a whole interactions CSV (header required)."""
    source = str(path)
    rows = [
        interaction_row(source, line, record)
        for line, record in csv_records(
            path, required=REQUIRED_COLUMNS, allowed=INTERACTION_COLUMNS, lowercase_header=True
        )
    ]
    if not rows:
        raise ImportFileError(
            path=source, line=None, field=None, problem="contains no interactions"
        )
    return rows
