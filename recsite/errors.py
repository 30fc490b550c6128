"""The one application error type that services raise.

Views, the API and management commands turn it into their own shape (a JSON
body, a message beside a form field, a one-line CommandError), so callers
never need to know which service failed or how.
"""

from typing import Any


class ApplicationError(Exception):
    # The HTTP status the API answers with: bad input unless a subclass or
    # the raiser says otherwise (404 for a missing object, 409 for a conflict).
    status_code = 400

    def __init__(
        self, message: str, extra: dict[str, Any] | None = None, *, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class ImportFileError(ApplicationError):
    """A row of an import file is unusable; names the file, line and field."""

    def __init__(self, *, path: str, line: int | None, field: str | None, problem: str) -> None:
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(
            f"{where}: {problem}",
            extra={"file": str(path), "line": line, "field": field, "problem": problem},
        )
