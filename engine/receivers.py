"""What the engine does when the data it reads from changes."""

from django.conf import settings

from catalog.models import Item
from catalog.text import TEXT_FIELDS
from engine import indexing, tasks
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


def embeddings_needed_enqueue(*, item_ids: list[int] | None, force: bool = False, **kwargs) -> None:
    enqueue_on_commit(tasks.items_embed, item_ids=item_ids, force=force)


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
