from django.apps import AppConfig
from django.db.models.signals import post_save


class EngineConfig(AppConfig):
    name = "engine"
    verbose_name = "Recommendation engine"

    def ready(self) -> None:
        from catalog.models import Item
        from catalog.signals import embeddings_needed
        from engine import receivers
        from profiles.signals import (
            account_exporting,
            interactions_changed,
            regeneration_requested,
            statements_changed,
        )

        interactions_changed.connect(
            receivers.interactions_changed_refresh_popularity, dispatch_uid="engine.popularity"
        )
        interactions_changed.connect(
            receivers.interactions_changed_regenerate_profiles, dispatch_uid="engine.profiles"
        )
        interactions_changed.connect(
            receivers.interactions_changed_train_collaborative,
            dispatch_uid="engine.collaborative",
        )
        embeddings_needed.connect(
            receivers.embeddings_needed_enqueue, dispatch_uid="engine.embeddings"
        )
        regeneration_requested.connect(
            receivers.regeneration_requested_enqueue, dispatch_uid="engine.regenerate"
        )
        statements_changed.connect(
            receivers.statements_changed_embed, dispatch_uid="engine.statements"
        )
        account_exporting.connect(
            receivers.account_exporting_recommendation_logs, dispatch_uid="engine.export_logs"
        )
        post_save.connect(
            receivers.item_saved_enqueue_embedding, sender=Item, dispatch_uid="engine.item_saved"
        )
