from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "engine"
    verbose_name = "Recommendation engine"

    def ready(self) -> None:
        from engine import receivers
        from profiles.signals import interactions_changed

        interactions_changed.connect(
            receivers.interactions_changed_refresh_popularity,
            dispatch_uid="engine.popularity",
        )
