"""Log lines that a machine can read: JSON objects carrying the request id.

The request id of the request being served lives in a context variable, set
by ``recsite.middleware.RequestIdMiddleware``; a logging filter copies it onto
every record, so a line logged deep inside the engine while serving a request
can be found together with that request's access line and error answer.
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# "-" outside a request (start-up, a worker's task, a management command).
NO_REQUEST = "-"
current_request_id: ContextVar[str] = ContextVar("current_request_id", default=NO_REQUEST)

# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a
# client's), so one id follows a request across machines; anything else is
# replaced, so a client cannot write arbitrary text into our logs.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(header: str | None) -> str:
    """The id to use for a request that sent ``header`` as its X-Request-ID."""
    if header and _ACCEPTABLE_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (the current request's, or "-").

    In a Celery task it also adds ``record.task_id``, so every line a task
    logs (the engine's included) can be found with the task's own lines.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        if not hasattr(record, "task_id"):
            task_id = _current_task_id()
            if task_id:
                record.task_id = task_id
        return True


def _current_task_id() -> str | None:
    # Imported here: settings load this module before Celery is set up.
    from celery import current_task

    # The proxy is falsy outside a task.
    return current_task.request.id if current_task else None


# Attributes every LogRecord has; anything else was passed with extra=... and
# belongs in the JSON object.
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: extras such as a request object or a path still log.
        return json.dumps(entry, default=str)
