"""What the engine does when the data it reads from changes."""

import threading
from time import monotonic

from django.conf import settings
from django.db import transaction

from catalog.models import Item
from catalog.text import TEXT_FIELDS
from engine import indexing, tasks
from engine.models import RecommendationLog
from recsite.queueing import enqueue_on_commit


def interactions_changed_refresh_popularity(*, item_ids: list[int] | None, **kwargs) -> None:
    enqueue_on_commit(tasks.item_popularity_refresh, item_ids=item_ids)


def interactions_changed_regenerate_profiles(*, user_ids: list[int] | None, **kwargs) -> None:
    """Each person whose history changed may be due a new profile (the task decides).

    A bulk import that touched too many people to list leaves them to the
    periodic refresh or to "regenerate now".
    """
    for user_id in user_ids or ():
        enqueue_on_commit(tasks.profile_regenerate, user_id=user_id)


def interactions_changed_train_collaborative(**kwargs) -> None:
    """Changed interactions retrain the collaborative model, debounced.

    The task runs COLLABORATIVE_DEBOUNCE_SECONDS after the change, so a
    burst of ratings lands in one training; and each process queues at most
    one such task per half of that delay. A change committed in that first
    half is in the database when the queued task reads, with half the delay
    to spare; a later one queues the next task. Queueing for every rating
    instead would leave a delayed task per rating, each reading every
    positive only to find them unchanged, or retraining over and over while
    ratings keep coming. What this misses (a broker outage, two threads
    racing) the periodic run catches up.
    """
    transaction.on_commit(_queue_collaborative_training)


_training_queued_at = -float("inf")
_training_queued_lock = threading.Lock()


def _queue_collaborative_training() -> None:
    global _training_queued_at
    delay = settings.COLLABORATIVE_DEBOUNCE_SECONDS
    with _training_queued_lock:
        now = monotonic()
        if now - _training_queued_at < delay / 2:
            return
        _training_queued_at = now
    # This runs on commit, outside any transaction: it sends at once.
    enqueue_on_commit(tasks.collaborative_train.s().set(countdown=delay))


def embeddings_needed_enqueue(*, item_ids: list[int] | None, force: bool = False, **kwargs) -> None:
    enqueue_on_commit(tasks.items_embed, item_ids=item_ids, force=force)
    # An import's categories count before its vectors are written (the
    # embedding task queues the statistics again once they are).
    enqueue_on_commit(tasks.catalog_statistics_refresh)


def regeneration_requested_enqueue(*, user_id: int, **kwargs) -> None:
    enqueue_on_commit(tasks.profile_regenerate, user_id=user_id, force=True)


def statements_changed_embed(*, profile_id: int, **kwargs) -> None:
    indexing.statements_embed(profile_id=profile_id)


def item_saved_enqueue_embedding(
    *, instance: Item, update_fields=None, raw: bool = False, **kwargs
) -> None:
    """A saved item whose text no longer matches its vector is re-embedded."""
    if raw or (update_fields is not None and not set(update_fields) & set(TEXT_FIELDS)):
        return
    if instance.embedding_status(settings.EMBEDDING_MODEL) != "current":
        enqueue_on_commit(tasks.items_embed, item_ids=[instance.pk])


def account_exporting_recommendation_logs(*, user, **kwargs) -> dict:
    """The lists served to the person, oldest first, as logged (a person's data too).

    Entries name items by id; each list also names them by external id and
    title (while the item exists), so the export reads without the catalog.
    """
    logs = list(RecommendationLog.objects.filter(user=user).order_by("created_at", "id"))
    item_ids = {entry.get("item") for log in logs for entry in log.entries}
    items = {
        pk: {"external_id": external_id, "title": title}
        for pk, external_id, title in Item.objects.filter(pk__in=item_ids).values_list(
            "pk", "external_id", "title"
        )
    }
    return {
        "recommendation_logs": [
            {
                "created_at": log.created_at.isoformat(),
                "profile_revision": log.profile_revision,
                "params": log.params,
                "milliseconds": log.milliseconds,
                "entries": [{**entry, **items.get(entry.get("item"), {})} for entry in log.entries],
            }
            for log in logs
        ]
    }
