"""Reading import files line by line, gzip or not, with exact line numbers.

A reader may be given limits on the longest line and on the whole file's
size once unpacked. Lines are then read with a bounded ``readline``, so
neither a gzip bomb (a few MB that unpack to gigabytes) nor one endless line
is ever held in memory: reading stops at the limit with an error naming it.
"""

import csv
import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from recsite.errors import ImportFileError


@dataclass(frozen=True)
class Limit:
    """A bound on an import, and the setting that sets it (named in the error)."""

    value: int
    setting: str
    unit: str = "bytes"

    def __str__(self) -> str:
        return f"{self.value:,} {self.unit} ({self.setting})"


def open_binary(path: Path):
    """Open ``path`` for reading bytes; ``.gz`` files are decompressed on the fly."""
    try:
        if path.suffix == ".gz":
            handle = gzip.open(path, "rb")  # noqa: SIM115 (the caller closes it)
            handle.peek(1)  # a non-gzip file fails here, not halfway through
            return handle
        return path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(
            path=str(path), line=None, field=None, problem="no such file"
        ) from None
    except IsADirectoryError:
        raise ImportFileError(
            path=str(path), line=None, field=None, problem="is a folder"
        ) from None
    except (OSError, EOFError) as exc:
        raise ImportFileError(path=str(path), line=None, field=None, problem=str(exc)) from None


def text_lines(
    path: Path,
    encoding: str = "utf-8",
    *,
    max_line_bytes: Limit | None = None,
    max_unpacked_bytes: Limit | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for each line, without its line ending.

    Lines are decoded one at a time so an encoding error names its line.
    With limits, a line longer than ``max_line_bytes`` (line ending not
    counted) or a file larger than ``max_unpacked_bytes`` once unpacked stops
    the reading, with an error naming the limit and the line it was reached on.
    """
    # One byte over the limit (plus a line ending) is enough to know a line
    # is too long; -1 reads a whole line, however long.
    read_size = max_line_bytes.value + 3 if max_line_bytes else -1
    unpacked = 0
    with open_binary(path) as handle:
        try:
            number = 0
            while raw := handle.readline(read_size):
                number += 1
                unpacked += len(raw)
                if max_unpacked_bytes and unpacked > max_unpacked_bytes.value:
                    raise ImportFileError(
                        path=str(path),
                        line=number,
                        field=None,
                        problem=f"the file unpacks to more than {max_unpacked_bytes}",
                    )
                if max_line_bytes and len(raw.rstrip(b"\r\n")) > max_line_bytes.value:
                    raise ImportFileError(
                        path=str(path),
                        line=number,
                        field=None,
                        problem=f"the line is longer than {max_line_bytes}",
                    )
                try:
                    text = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    raise ImportFileError(
                        path=str(path),
                        line=number,
                        field=None,
                        problem=f"not valid {encoding} text ({exc.reason} at byte {exc.start})",
                    ) from None
                if number == 1:
                    text = text.removeprefix("\ufeff")
                yield number, text.rstrip("\r\n")
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
            raise ImportFileError(path=str(path), line=None, field=None, problem=str(exc)) from None


def csv_rows(
    path: Path,
    encoding: str = "utf-8",
    *,
    max_line_bytes: Limit | None = None,
    max_unpacked_bytes: Limit | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` per CSV record, skipping blank lines.

    The line number is where the record starts: a quoted field may span
    several lines, and the first is the one a person looks for. The limits
    are text_lines'; a quoted field spanning lines is bounded by the csv
    module's field size limit (131,072 characters).
    """
    consumed = 0

    def physical_lines() -> Iterator[str]:
        nonlocal consumed
        lines = text_lines(
            path, encoding, max_line_bytes=max_line_bytes, max_unpacked_bytes=max_unpacked_bytes
        )
        for number, text in lines:
            consumed = number
            yield text + "\n"  # csv needs the line end to keep newlines inside quotes

    reader = csv.reader(physical_lines())
    while True:
        start = consumed + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(
                path=str(path), line=start, field=None, problem=str(exc)
            ) from None
        if fields and any(part.strip() for part in fields):
            yield start, fields


def csv_records(
    path: Path,
    *,
    required: Sequence[str],
    allowed: Sequence[str] | None = None,
    lowercase_header: bool = False,
    max_line_bytes: Limit | None = None,
    max_unpacked_bytes: Limit | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, {column: text})`` per record of a CSV with a header.

    The header must name every ``required`` column and, when ``allowed`` is
    given, nothing else; every record must have as many fields as the header.
    """
    source = str(path)
    records = csv_rows(path, max_line_bytes=max_line_bytes, max_unpacked_bytes=max_unpacked_bytes)
    _, header = next(records, (0, None))
    if header is None:
        raise ImportFileError(path=source, line=None, field=None, problem="is empty")
    header = [name.strip().lower() if lowercase_header else name for name in header]
    for name in header:
        if allowed is not None and name not in allowed:
            raise ImportFileError(
                path=source,
                line=1,
                field=name,
                problem=f"unknown column (expected {','.join(allowed)})",
            )
    for name in required:
        if name not in header:
            raise ImportFileError(path=source, line=1, field=name, problem="column is missing")
    for line, fields in records:
        if len(fields) != len(header):
            raise ImportFileError(
                path=source,
                line=line,
                field=None,
                problem=f"expected {len(header)} fields, found {len(fields)}",
            )
        yield line, dict(zip(header, fields, strict=True))
