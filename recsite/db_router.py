"""Sends the catalog-wide reads that serve recommendations to a read replica.

Only when DATABASE_REPLICA_URL is set (the "replica" database). Which reads:
the catalog (items, their vectors) and the engine's trained models
(collaborative model, item neighbours): large, read on every list, and
changed only by imports and workers, so a replica a second behind serves
them as well as the primary. A person's own rows (profile, statements,
interactions, recommendation logs) stay on the primary: right after an edit
the next list must reflect it, and a lagging replica would not.

Every write, migration and anything else goes to the primary.
"""

from django.conf import settings

REPLICA = "replica"
# app_label.ModelName, as in Model._meta.label.
REPLICA_MODELS = frozenset({"catalog.Item", "engine.CollaborativeModel", "engine.ItemNeighbours"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA in settings.DATABASES and model._meta.label in REPLICA_MODELS:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: a replica row may point at a primary row.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica follows its primary; only the primary is migrated.
        return db == "default"
