"""Enqueueing Celery tasks from request and command code."""

import logging
import threading
import time

from celery import Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# monotonic() before which this process does not try the broker again.
_paused_until = 0.0
_pause_lock = threading.Lock()


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    """Send ``task`` once the current transaction commits (at once outside one).

    A task sent before commit could run before its rows are visible, or for
    rows a rollback then removes. If the broker cannot be reached the write
    that asked for the task still stands: the failure is logged and the
    periodic catch-up tasks (engine/tasks.py) queue the work again later.
    After a failure this process stops trying for TASK_PUBLISH_PAUSE_SECONDS:
    each try costs a request up to a connect timeout, and a request saving a
    rating sends three tasks.
    """
    transaction.on_commit(lambda: task_send(task, *args, **kwargs))


def task_send(task: Task, *args, **kwargs) -> bool:
    """Publish ``task`` now; False (logged) when the broker is unreachable."""
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.warning("broker unavailable: %s not queued; it will be caught up later", task.name)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        with _pause_lock:
            _paused_until = time.monotonic() + settings.TASK_PUBLISH_PAUSE_SECONDS
        logger.exception("could not queue %s; it will be caught up later", task.name)
        return False
    return True
