from django.apps import AppConfig


class RecsiteConfig(AppConfig):
    name = "recsite"

    def ready(self) -> None:
        # Connects the Celery task-outcome counters in every process that sets
        # Django up, the workers' included.
        from recsite import metrics  # noqa: F401
