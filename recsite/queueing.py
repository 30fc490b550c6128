"""Enqueueing Celery tasks from request and command code."""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits (at once outside one).

    A task sent before commit could run before its rows are visible, or for
    rows a rollback then removes. If the broker cannot be reached the write
    that asked for the task still stands: the failure is logged and the
    periodic refresh catches the work up later.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            logger.exception("could not enqueue %s; it will be caught up later", task.name)

    transaction.on_commit(send)
