"""Writes to the catalog."""

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.importers import ITEM_FIELDS, ItemRow, read_items_file
from catalog.models import Item
from catalog.signals import embeddings_needed
from recsite.errors import ApplicationError, ImportFileError

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


UPLOAD_SUFFIXES = (".jsonl.gz", ".csv.gz", ".jsonl", ".csv")


def items_import_upload(*, name: str, chunks: Iterable[bytes]) -> ItemImportSummary:
    """Import an uploaded catalog file (format by ``name``), all or nothing.

    The readers work on paths (gzip, exact line numbers), so the upload is
    written to a temporary file first; errors name the upload, not that file.
    """
    name = name[:200]
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), "")
    with tempfile.TemporaryDirectory(prefix="recsite-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        try:
            return items_import(rows=read_items_file(path))
        except ImportFileError as error:
            raise ImportFileError(
                path=name,
                line=error.extra["line"],
                field=error.extra["field"],
                problem=error.extra["problem"],
            ) from None


def _item_save(item: Item, update_fields: list[str] | None = None) -> None:
    # external_id is unique: a clash (even one a concurrent request made a
    # moment ago) is the caller's mistake, not a server error.
    try:
        with transaction.atomic():
            item.save(update_fields=update_fields)
    except IntegrityError:
        raise ApplicationError(
            f"Another item already has the external_id {item.external_id!r}.",
            extra={"field": "external_id"},
        ) from None


def item_create(*, external_id: str, title: str, **values: Any) -> Item:
    """Add one item (``values``: the other import fields); its embedding is queued on save."""
    unknown = set(values) - set(IMPORTED_FIELDS)
    if unknown:
        raise TypeError(f"item_create() got unknown fields {sorted(unknown)}")
    item = Item(external_id=external_id, title=title, **values)
    _item_save(item)
    return item


def item_update(*, item: Item, **values: Any) -> Item:
    """Change some of an item's import fields; changed text re-queues its embedding.

    Only the changed columns are written, so the engine's post_save receiver
    sees whether any text it embeds changed.
    """
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"item_update() got unknown fields {sorted(unknown)}")
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if changed:
        for name in changed:
            setattr(item, name, values[name])
        _item_save(item, update_fields=[*changed, "updated_at"])
    return item


def item_delete(*, item: Item) -> None:
    """Delete an item and every interaction with it (hiding it, is_active, keeps them)."""
    item.delete()
