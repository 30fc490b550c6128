"""Signals the engine listens to (catalog cannot import the engine)."""

from django.dispatch import Signal

# Sent inside the transaction that changed items, with ``item_ids`` (a list,
# or None meaning "too many to list: check every item") and ``force`` (True
# when a person asked to re-embed even items whose vectors are current).
embeddings_needed = Signal()
