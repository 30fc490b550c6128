"""Writes to the catalog."""

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone

from catalog.importers import ITEM_FIELDS, ImportLimits, ItemRow, iter_items_file
from catalog.models import IMPORTED_FIELDS, Item
from catalog.signals import embeddings_needed
from recsite.errors import ApplicationError, ImportFileError

WRITE_BATCH = 1000
# Above this many, the engine is told to check every item instead of being
# handed a huge id list.
LISTED_CHANGES = 1000


@dataclass(frozen=True)
class ItemImportSummary:
    created: int
    updated: int
    # Titles of the items left as they were because someone changed them
    # since they were loaded (only with keep_changed).
    kept: tuple[str, ...] = ()


def _batches(rows: Iterable[ItemRow], size: int) -> Iterator[list[ItemRow]]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def _merged(row: ItemRow, current: Item | None) -> Item:
    """The item a row makes: the existing item's values (or the defaults) with
    only the fields the row gave laid over them."""
    item = Item(external_id=row.external_id)
    if current is not None:
        for name in [*IMPORTED_FIELDS, "embedding_model", "embedding_hash"]:
            setattr(item, name, getattr(current, name))
    for name, value in row.values.items():
        setattr(item, name, value)
    item.imported_hash = item.imported_values_hash()
    return item


def _keeps(row: ItemRow, current: Item | None) -> bool:
    """Whether a careful import (keep_changed) leaves this item alone: it was
    changed since it was loaded, and the row would change it again."""
    return (
        current is not None
        and current.changed_since_import()
        and _merged(row, current).imported_hash != current.imported_values_hash()
    )


def items_import(
    *,
    rows: Iterable[ItemRow],
    on_progress: Callable[[int], None] | None = None,
    keep_changed: bool = False,
) -> ItemImportSummary:
    """Insert or update items by external_id, in one transaction.

    ``rows`` may be a reader that validates lines as it goes
    (catalog.importers.iter_items_file): they are taken WRITE_BATCH at a
    time, so memory holds one batch, not the file. A bad line anywhere
    raises from the reader and rolls back every batch written before it:
    the import stays all or nothing.

    For each batch:
    1. Load the items that already exist for its external ids.
    2. Start each row from the existing item's values (or the defaults), and
       overlay only the fields the row gave: re-importing a file that lacks
       descriptions does not wipe the descriptions already there.
       With ``keep_changed`` (the demo's reload), an item someone changed
       since an import last wrote it is left as it is (Item.imported_hash).
    3. Upsert the batch with INSERT ... ON CONFLICT (external_id), recording
       the hash of what was written.
    Then tell the engine which items now need a new embedding (on commit it
    queues exactly those; above LISTED_CHANGES, it checks every item).
    """
    created = updated = 0
    kept: list[str] = []
    stale: list[int] = []
    with transaction.atomic():
        for batch in _batches(rows, WRITE_BATCH):
            existing = Item.objects.in_bulk(
                [row.external_id for row in batch], field_name="external_id"
            )
            if keep_changed:
                left = {r.external_id for r in batch if _keeps(r, existing.get(r.external_id))}
                kept += [existing[r.external_id].title for r in batch if r.external_id in left]
                batch = [row for row in batch if row.external_id not in left]
            items = [_merged(row, existing.get(row.external_id)) for row in batch]
            Item.objects.bulk_create(
                items,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=[*IMPORTED_FIELDS, "imported_hash", "updated_at"],
            )
            written = sum(1 for row in batch if row.external_id in existing)
            created += len(items) - written
            updated += written
            # One more than listed is enough to know the list is not sent.
            if len(stale) <= LISTED_CHANGES:
                stale += [
                    item.pk
                    for item in items
                    if item.embedding_status(settings.EMBEDDING_MODEL) != "current"
                ]
            if on_progress:
                on_progress(len(items))
            # With DEBUG on (the demo, a developer's import) Django keeps the
            # SQL of every query, a megabyte per batch here: forget it, or
            # memory grows with the file after all.
            reset_queries()
        if stale:
            embeddings_needed.send(
                sender=Item, item_ids=stale if len(stale) <= LISTED_CHANGES else None
            )
    return ItemImportSummary(created=created, updated=updated, kept=tuple(kept))


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
    The web's limits apply (CATALOG_UPLOAD_MAX_UNPACKED_BYTES, smaller than
    the command line's): the import runs inside one request. The copy stops
    at that size too, so a huge upload does not fill the disk first.
    """
    name = name[:200]
    suffix = next((s for s in UPLOAD_SUFFIXES if name.lower().endswith(s)), "")
    limits = ImportLimits.from_settings(upload=True)
    try:
        with tempfile.TemporaryDirectory(prefix="recsite-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            written = 0
            with path.open("wb") as handle:
                for chunk in chunks:
                    written += len(chunk)
                    # Packed data is never larger than what it unpacks to
                    # (beyond gzip's few bytes of framing).
                    if written > limits.unpacked_bytes.value + 1024:
                        raise ImportFileError(
                            path=name,
                            line=None,
                            field=None,
                            problem=f"the file is larger than {limits.unpacked_bytes}",
                        )
                    handle.write(chunk)
            return items_import(rows=iter_items_file(path, limits))
    except ImportFileError as error:
        if error.extra["file"] == name:
            raise
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
