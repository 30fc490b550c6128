"""Writes to the catalog."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.importers import ITEM_FIELDS, ItemRow
from catalog.models import Item
from catalog.signals import embeddings_needed

# Fields an import may set; everything else (embedding, popularity) belongs
# to the engine and survives a re-import untouched.
IMPORTED_FIELDS = [name for name in ITEM_FIELDS if name != "external_id"]
WRITE_BATCH = 1000
# Above this many, the engine is told to check every item instead of being
# handed a huge id list.
LISTED_CHANGES = 1000


@dataclass(frozen=True)
class ItemImportSummary:
    created: int
    updated: int


def items_import(
    *, rows: Sequence[ItemRow], on_progress: Callable[[int], None] | None = None
) -> ItemImportSummary:
    """Insert or update items by external_id, in one transaction.

    1. Load the items that already exist for the rows' external ids.
    2. Start each row from the existing item's values (or the defaults), and
       overlay only the fields the row gave: re-importing a file that lacks
       descriptions does not wipe the descriptions already there.
    3. Upsert everything with INSERT ... ON CONFLICT (external_id) in batches.
    4. Tell the engine which items now need a new embedding (on commit it
       queues exactly those).
    """
    with transaction.atomic():
        existing = Item.objects.in_bulk([row.external_id for row in rows], field_name="external_id")
        items = []
        for row in rows:
            current = existing.get(row.external_id)
            item = Item(external_id=row.external_id)
            if current is not None:
                for name in [*IMPORTED_FIELDS, "embedding_model", "embedding_hash"]:
                    setattr(item, name, getattr(current, name))
            for name, value in row.values.items():
                setattr(item, name, value)
            items.append(item)
        for start in range(0, len(items), WRITE_BATCH):
            batch = items[start : start + WRITE_BATCH]
            Item.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=[*IMPORTED_FIELDS, "updated_at"],
            )
            if on_progress:
                on_progress(len(batch))
        stale = [
            item.pk
            for item in items
            if item.embedding_status(settings.EMBEDDING_MODEL) != "current"
        ]
        if stale:
            embeddings_needed.send(
                sender=Item, item_ids=stale if len(stale) <= LISTED_CHANGES else None
            )
    return ItemImportSummary(created=len(rows) - len(existing), updated=len(existing))


def items_request_embedding(*, item_ids: Sequence[int]) -> None:
    """Re-embed these items even if their vectors look current (admin action)."""
    embeddings_needed.send(sender=Item, item_ids=list(item_ids), force=True)


def items_set_active(*, item_ids: Sequence[int], active: bool) -> int:
    """Show or hide items; hidden items are never browsed or recommended."""
    return (
        Item.objects.filter(id__in=item_ids)
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )
