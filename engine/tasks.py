"""Celery tasks of the engine: each takes ids, calls one service, and is safe
to run twice (acks_late redelivers a task whose worker died)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from engine import indexing, profiles, services, training

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


@shared_task(
    bind=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def profile_regenerate(self, user_id: int, force: bool = False) -> int | None:
    """Rewrite a person's generated statements if enough new signal arrived.

    Returns the new revision number, or None when nothing was due. Never runs
    twice at once for one person: a second run finds the lock taken and tries
    again a little later (the first may have started before the newest rating).
    """
    if not force and not profiles.profile_generation_due(user_id=user_id):
        return None
    if profiles.history_waiting_for_embeddings(user_id=user_id) and self.request.retries < 3:
        # Items rated before they were embedded (a fresh import) cannot be
        # described yet; their embedding task is queued too, so wait for it.
        raise self.retry(countdown=20, max_retries=3)
    try:
        result = profiles.with_user_lock(
            user_id, lambda: profiles.profile_generate(user_id=user_id)
        )
    except profiles.GenerationBusy as busy:
        raise self.retry(countdown=10, max_retries=10) from busy
    return result.revision.number if result.revision else None


@shared_task(
    bind=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
    # ml-latest-small trains in about 15 s here and a 10,000-item EASE (the
    # dense limit) in about a minute; the margin is for item-kNN on far
    # larger catalogs.
    soft_time_limit=1200,
    time_limit=1300,
)
def collaborative_train(
    self, force: bool = False, dense_max_items: int | None = None
) -> int | None:
    """Train the collaborative model if its data changed; returns the new model's id.

    Returns None when the active model already has these positives. A run
    that finds another training under way tries again later rather than
    giving up: that one may have read the data before the change that
    queued this run.
    """
    try:
        model = training.collaborative_train(force=force, dense_max_items=dense_max_items)
    except training.TrainingBusy as busy:
        raise self.retry(countdown=60, max_retries=10) from busy
    return model.pk if model else None
