"""Celery tasks of the engine: each takes ids, calls one service, and is safe
to run twice (acks_late redelivers a task whose worker died).

Queues, time limits, retries and the periodic schedule: docs/WORKERS.md.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from engine import catalog_statistics, indexing, profiles, services, training

# A database that is restarting or briefly unreachable is worth waiting for.
RETRYABLE = (OperationalError, InterfaceError)


def engine_task(*, soft_time_limit: int, time_limit: int, bind: bool = False):
    """A Celery task with the engine's options: retried with backoff (up to 5
    times) while the database is away, and stopped at its time limits (the
    soft one raises inside the task so it can end cleanly)."""
    return shared_task(
        bind=bind,
        autoretry_for=RETRYABLE,
        retry_backoff=True,
        max_retries=5,
        soft_time_limit=soft_time_limit,
        time_limit=time_limit,
    )


# Regenerations queued per catch-up run: ml-latest-small's 610 people fit in
# one; a bigger backlog is worked off over several runs instead of flooding
# the profiles queue at once.
STALE_PROFILES_PER_RUN = 1000
# Items whose counts are refreshed per catch-up run; more wait for the next.
STALE_POPULARITY_PER_RUN = 10_000
# Minutes an embedding task steps aside for a running catch-up (items_embed).
CATCH_UP_RETRIES = 30


# A whole-catalog popularity refresh works this long, then queues the rest
# as a new task (its own time limits): half the soft limit, so the slice
# that passes it (well under a minute even when every count moved,
# services.POPULARITY_SLICE_ITEMS) still ends inside the limit.
POPULARITY_SECONDS_PER_RUN = 60


@engine_task(soft_time_limit=120, time_limit=150)
def item_popularity_refresh(item_ids: list[int] | None = None, after_id: int = 0) -> int:
    """Refresh the counts of ``item_ids``, or of every item above ``after_id``.

    The whole catalog (an import too large to list its items) is refreshed
    slice by slice: at 1,000,000 items one statement took 125 s, past the
    soft limit. What does not fit in POPULARITY_SECONDS_PER_RUN is queued
    as the next run; if that cannot be queued, the periodic catch-up finds
    the counts still stale. Returns how many items this run wrote.
    """
    if item_ids is not None:
        return services.item_popularity_refresh(item_ids=item_ids)
    progress = services.item_popularity_refresh_from(
        after_id=after_id, seconds=POPULARITY_SECONDS_PER_RUN
    )
    if progress.after_id is not None:
        item_popularity_refresh.apply_async(kwargs={"after_id": progress.after_id})
    return progress.written


# The whole ml-latest-small catalog takes about a minute here; a catalog
# ten times larger should still finish inside one task.
@engine_task(soft_time_limit=1800, time_limit=1900, bind=True)
def items_embed(self, item_ids: list[int] | None = None, force: bool = False) -> int | None:
    """Embed what is pending among ``item_ids`` (or the catalog); returns how many.

    Run again after its worker died, it finds the chunks the first run
    committed already current and encodes only the rest. While the periodic
    catch-up works (it embeds these items too) it comes back a minute later,
    when its items are most likely done; after half an hour it runs anyway.
    """
    with indexing.embedding_run() as alone:
        if alone or self.request.retries >= CATCH_UP_RETRIES:
            encoded = indexing.items_embed(item_ids=item_ids, force=force).encoded
            _statistics_follow(encoded)
            return encoded
    raise self.retry(countdown=60, max_retries=CATCH_UP_RETRIES)


def _statistics_follow(encoded: int | None) -> None:
    """New vectors move the catalog's statistics: have a worker store them again."""
    if encoded:
        catalog_statistics_refresh.apply_async(countdown=STATISTICS_DELAY_SECONDS)


@engine_task(soft_time_limit=1800, time_limit=1900)
def items_embed_missed() -> int | None:
    """Periodic catch-up: embed every item still without a current vector.

    Items whose task was never queued (broker down) or was lost with its
    worker. Returns how many were encoded, or None when another catch-up is
    still at work (a large catalog can take longer than the schedule's period).
    """
    encoded = indexing.items_embed_catch_up()
    _statistics_follow(encoded)
    return encoded


# After an embedding task, the statistics wait this long: the chunks of a
# large import finish one after another, and one refresh then covers several.
STATISTICS_DELAY_SECONDS = 10


# Reading a million vectors in chunks takes a few minutes here.
@engine_task(soft_time_limit=1200, time_limit=1300)
def catalog_statistics_refresh() -> int | None:
    """Store the catalog's vector statistics if the catalog changed; returns the row's id.

    Queued after every embedding task that wrote vectors, and periodically
    (a change of popularity or of which items are active moves them too).
    None: already current, or another run is computing them.
    """
    row = catalog_statistics.catalog_statistics_refresh()
    return row.pk if row else None


@engine_task(soft_time_limit=120, time_limit=150, bind=True)
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


@engine_task(soft_time_limit=60, time_limit=90)
def profiles_refresh_stale(limit: int = STALE_PROFILES_PER_RUN) -> int:
    """Periodic catch-up: queue a regeneration for each person who is due one.

    Finds regenerations that were never queued (the broker was down when the
    ratings were saved) or were lost. A person whose task is already waiting
    gets a second one, which finds nothing due and returns at once.
    Returns how many were queued.
    """
    user_ids = profiles.users_due_generation(limit=limit)
    for user_id in user_ids:
        profile_regenerate.apply_async(kwargs={"user_id": user_id})
    return len(user_ids)


@engine_task(soft_time_limit=120, time_limit=150)
def items_popularity_catch_up(limit: int = STALE_POPULARITY_PER_RUN) -> int:
    """Periodic catch-up: refresh the counts of items whose refresh was never run.

    Returns how many items were refreshed.
    """
    item_ids = services.items_popularity_stale(limit=limit)
    return services.item_popularity_refresh(item_ids=item_ids) if item_ids else 0


# ml-latest-small trains in about 15 s here and a 10,000-item EASE (the
# dense limit) in about a minute; the margin is for item-kNN on far larger
# catalogs.
@engine_task(soft_time_limit=1200, time_limit=1300, bind=True)
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
