"""Writes to the catalog."""

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, reset_queries, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

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
    1. Load the items that already exist for its external ids (text
       columns only, never their vectors).
    2. Start each row from the existing item's values (or the defaults), and
       overlay only the fields the row gave: re-importing a file that lacks
       descriptions does not wipe the descriptions already there.
       With ``keep_changed`` (the demo's reload), an item someone changed
       since an import last wrote it is left as it is (Item.imported_hash).
    3. Upsert the batch (_batch_write: COPY, then INSERT ... ON CONFLICT),
       recording the hash of what was written.
    Then tell the engine which items now need a new embedding (on commit it
    queues exactly those; above LISTED_CHANGES, it checks every item).
    """
    created = updated = 0
    kept: list[str] = []
    stale: list[int] = []
    with transaction.atomic():
        _batch_table_create()
        for batch in _batches(rows, WRITE_BATCH):
            existing = _existing(batch)
            if keep_changed:
                batch = _leave_changed(batch, existing, kept)
            items = [_merged(row, existing.get(row.external_id)) for row in batch]
            ids = _batch_write(items)
            written = sum(1 for row in batch if row.external_id in existing)
            created += len(items) - written
            updated += written
            # One more than listed is enough to know the list is not sent.
            if len(stale) <= LISTED_CHANGES:
                stale += [
                    ids[item.external_id]
                    for item in items
                    if item.embedding_status(settings.EMBEDDING_MODEL) != "current"
                ]
            if on_progress:
                on_progress(len(items))
            # With DEBUG on (the demo, a developer's import) Django keeps the
            # SQL of every query: forget it, or memory grows with the file.
            reset_queries()
        if stale:
            embeddings_needed.send(
                sender=Item, item_ids=stale if len(stale) <= LISTED_CHANGES else None
            )
    return ItemImportSummary(created=created, updated=updated, kept=tuple(kept))


def _existing(batch: list[ItemRow]) -> dict[str, Item]:
    """The items already there for ``batch``'s external ids (never their vectors)."""
    fields = (*IMPORTED_FIELDS, "imported_hash", "external_id", "embedding_model", "embedding_hash")
    return Item.objects.only(*fields).in_bulk(
        [row.external_id for row in batch], field_name="external_id"
    )


def _leave_changed(
    batch: list[ItemRow], existing: dict[str, Item], kept: list[str]
) -> list[ItemRow]:
    """``batch`` without the rows whose item someone changed since an import
    last wrote it; their titles are added to ``kept``."""
    left = {row.external_id for row in batch if _keeps(row, existing.get(row.external_id))}
    kept += [existing[row.external_id].title for row in batch if row.external_id in left]
    return [row for row in batch if row.external_id not in left]


# The batch travels by COPY into a temporary table and is upserted from there
# in one statement. Against bulk_create(update_conflicts=True), which binds
# 16 parameters per row and builds a 16,000-parameter query per batch, the
# 20,000-line profile here spent 18 s of 47 s building SQL on the client.
_BATCH_TABLE = "catalog_import_batch"
_BATCH_COLUMNS = ("external_id", *IMPORTED_FIELDS, "imported_hash")
_UPSERT = f"""
    INSERT INTO catalog_item ({", ".join(_BATCH_COLUMNS)}, created_at, updated_at,
                              popularity, embedding_model, embedding_hash)
    SELECT {", ".join(_BATCH_COLUMNS)}, %(now)s, %(now)s, 0, '', '' FROM {_BATCH_TABLE}
    ON CONFLICT (external_id) DO UPDATE SET
        {", ".join(f"{name} = EXCLUDED.{name}" for name in _BATCH_COLUMNS[1:])},
        updated_at = EXCLUDED.updated_at
    RETURNING external_id, id
"""


def _batch_table_create() -> None:
    """A temporary table shaped like the import's columns, dropped at commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_BATCH_TABLE} ON COMMIT DROP AS "
            f"SELECT {', '.join(_BATCH_COLUMNS)} FROM catalog_item WITH NO DATA"
        )


def _batch_write(items: list[Item]) -> dict[str, int]:
    """Upsert ``items`` (their import fields); returns external_id -> id."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {_BATCH_TABLE}")
        with cursor.copy(f"COPY {_BATCH_TABLE} ({', '.join(_BATCH_COLUMNS)}) FROM STDIN") as copy:
            for item in items:
                copy.write_row(
                    [
                        Jsonb(value) if name == "metadata" else value
                        for name in _BATCH_COLUMNS
                        for value in [getattr(item, name)]
                    ]
                )
        cursor.execute(_UPSERT, {"now": timezone.now()})
        return dict(cursor.fetchall())


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
