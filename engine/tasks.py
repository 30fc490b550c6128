"""Celery tasks of the engine: each takes ids, calls one service, and is safe
to run twice (acks_late redelivers a task whose worker died)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from engine import indexing, services

# A database that is restarting or briefly unreachable is worth waiting for.
RETRYABLE = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def item_popularity_refresh(item_ids: list[int] | None = None) -> int:
    return services.item_popularity_refresh(item_ids=item_ids)


@shared_task(
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
    # The whole ml-latest-small catalog takes about a minute here; a catalog
    # ten times larger should still finish inside one task.
    soft_time_limit=1800,
    time_limit=1900,
)
def items_embed(item_ids: list[int] | None = None, force: bool = False) -> int:
    """Embed what is pending among ``item_ids`` (or the catalog); returns how many."""
    return indexing.items_embed(item_ids=item_ids, force=force).encoded
