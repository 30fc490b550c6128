"""Signals other apps listen to.

``profiles`` cannot import ``engine`` (the engine depends on profiles), so it
announces changes and the engine decides what work they need.
"""

from django.dispatch import Signal

# Sent inside the transaction that changed interactions, with
# ``user_ids`` and ``item_ids`` (lists of ids, or None meaning "too many to
# list: treat everything as changed").
interactions_changed = Signal()

# Sent inside the transaction that rewrote a profile's statements, with
# ``profile_id``. The engine embeds the statements that have no vector yet
# before the transaction commits.
statements_changed = Signal()

# Sent when a person asks to have their profile written again from their
# ratings now, with ``user_id``. The engine queues the work on commit.
regeneration_requested = Signal()

# Sent when a person downloads their data, with ``user``. Each receiver
# returns a dict of sections to add to the export (the engine: its logs).
account_exporting = Signal()
