"""Item embeddings: find the items whose vector is missing or stale, encode, store."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from catalog.selectors import EmbeddingState, items_embedding_state

TEXT_FIELDS = ("title", "year", "categories", "tags", "description")


@dataclass(frozen=True)
class EmbedSummary:
    encoded: int
    skipped: int  # looked at but not encoded: already current, or edited meanwhile
    seconds: float


def items_pending_embedding(
    *, item_ids: Sequence[int] | None = None, force: bool = False
) -> list[EmbeddingState]:
    """Items whose vector is missing, or was made from other text or another model."""
    items = None if item_ids is None else Item.objects.filter(id__in=item_ids)
    model = settings.EMBEDDING_MODEL
    return [state for state in items_embedding_state(items) if force or not state.is_current(model)]


def store_vectors(
    chunk: Sequence[EmbeddingState], vectors: Sequence[np.ndarray], model: str | None = None
) -> int:
    """Write one chunk's vectors in its own transaction; returns how many were written.

    The rows are locked and their text re-hashed first: an item edited while
    its old text was being encoded keeps its newer state (and its own queued
    re-embedding) instead of receiving a vector of text it no longer has.
    """
    model = model or settings.EMBEDDING_MODEL
    wanted = {item.id: (item.hash, vector) for item, vector in zip(chunk, vectors, strict=True)}
    with transaction.atomic():
        locked = Item.objects.select_for_update().filter(id__in=wanted)
        now = timezone.now()
        updates = [
            Item(
                id=state.id,
                embedding=wanted[state.id][1],
                embedding_model=model,
                embedding_hash=state.hash,
                embedded_at=now,
            )
            for state in items_embedding_state(locked)
            if state.hash == wanted[state.id][0]
        ]
        Item.objects.bulk_update(
            updates, ["embedding", "embedding_model", "embedding_hash", "embedded_at"]
        )
    return len(updates)


def items_embed(
    *,
    item_ids: Sequence[int] | None = None,
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> EmbedSummary:
    """Embed the items that need it (all of ``item_ids``, or the whole catalog).

    1. Find the pending items (missing, stale text, other model; or all if ``force``).
    2. Sort them by text length, so each encoder batch pads little.
    3. Encode and store chunk by chunk, one transaction each: a run that is
       killed keeps every finished chunk, and the next run (which finds only
       what is still pending) does the rest.
    """
    from engine.encoder import get_encoder

    started = time.monotonic()
    pending = items_pending_embedding(item_ids=item_ids, force=force)
    looked_at = len(set(item_ids)) if item_ids is not None else Item.objects.count()
    pending.sort(key=lambda item: len(item.text), reverse=True)
    encoded = 0
    if pending:
        encoder = get_encoder()
        chunk_size = settings.EMBEDDING_CHUNK_SIZE
        for start in range(0, len(pending), chunk_size):
            chunk = pending[start : start + chunk_size]
            vectors = encoder.encode([item.text for item in chunk])
            encoded += store_vectors(chunk, vectors, encoder.name)
            if on_progress:
                on_progress(len(chunk))
    return EmbedSummary(
        encoded=encoded, skipped=max(looked_at - encoded, 0), seconds=time.monotonic() - started
    )
