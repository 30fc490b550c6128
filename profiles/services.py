"""Writes to interactions (and the accounts imports create)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from profiles.importers import InteractionRow
from profiles.models import Interaction
from profiles.signals import interactions_changed
from recsite.errors import ImportFileError

WRITE_BATCH = 5000
# Above this many changed items, listeners are told "everything changed"
# rather than handed a huge id list.
LISTED_CHANGES = 1000


@dataclass(frozen=True)
class InteractionImportSummary:
    interactions: int
    users_created: int


def _users_by_username(usernames: set[str]) -> tuple[dict[str, int], int]:
    """Ids of the accounts named ``usernames``, creating the missing ones.

    Imported people get inactive accounts without a usable password: they
    exist so their history counts, and cannot log in until an admin acts.
    """
    User = get_user_model()
    known = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    missing = sorted(usernames - known.keys())
    User.objects.bulk_create(
        [User(username=name, is_active=False, password=make_password(None)) for name in missing],
        batch_size=WRITE_BATCH,
    )
    if missing:
        known.update(User.objects.filter(username__in=missing).values_list("username", "id"))
    return known, len(missing)


def interactions_import(
    *,
    rows: Sequence[InteractionRow],
    on_progress: Callable[[int], None] | None = None,
) -> InteractionImportSummary:
    """Insert or update interactions, one transaction for the whole batch.

    1. Resolve item external ids; an unknown item aborts with its line.
    2. Resolve user names, creating inactive accounts for new ones.
    3. Keep one row per (user, item, kind): the latest by timestamp (later
       line on a tie), as re-rating replaces a rating.
    4. Upsert with INSERT ... ON CONFLICT, then announce the change.
    """
    now = timezone.now()
    with transaction.atomic():
        items = dict(
            Item.objects.filter(external_id__in={row.item for row in rows}).values_list(
                "external_id", "id"
            )
        )
        for row in rows:
            if row.item not in items:
                raise ImportFileError(
                    path=row.source,
                    line=row.line,
                    field="item",
                    problem=f"no item with external_id {row.item!r} in the catalog",
                )
        users, users_created = _users_by_username({row.user for row in rows})

        latest: dict[tuple[int, int, str], Interaction] = {}
        for row in rows:
            key = (users[row.user], items[row.item], row.kind)
            timestamp = row.timestamp or now
            previous = latest.get(key)
            if previous is None or timestamp >= previous.timestamp:
                latest[key] = Interaction(
                    user_id=key[0],
                    item_id=key[1],
                    kind=row.kind,
                    value=row.value,
                    timestamp=timestamp,
                )
        interactions = list(latest.values())
        for start in range(0, len(interactions), WRITE_BATCH):
            batch = interactions[start : start + WRITE_BATCH]
            Interaction.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["user", "item", "kind"],
                update_fields=["value", "timestamp"],
            )
            if on_progress:
                on_progress(len(batch))

        item_ids = sorted({interaction.item_id for interaction in interactions})
        user_ids = sorted({interaction.user_id for interaction in interactions})
        interactions_changed.send(
            sender=Interaction,
            user_ids=user_ids if len(user_ids) <= LISTED_CHANGES else None,
            item_ids=item_ids if len(item_ids) <= LISTED_CHANGES else None,
        )
    return InteractionImportSummary(interactions=len(interactions), users_created=users_created)
