"""What the engine does when the data it reads from changes."""

from engine import tasks
from recsite.queueing import enqueue_on_commit


def interactions_changed_refresh_popularity(*, item_ids: list[int] | None, **kwargs) -> None:
    enqueue_on_commit(tasks.item_popularity_refresh, item_ids=item_ids)
