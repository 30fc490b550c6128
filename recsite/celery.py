"""The Celery app. Queues, routes and the schedule are in settings; how to run
workers per queue is in docs/WORKERS.md."""

import os

from celery import Celery, signals

from recsite import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

# The default broker's messages appear whole (recsite/broker.py).
broker.register()
app = Celery("recsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect(weak=False)
def _encoder_loaded_before_forking(**kwargs) -> None:
    """Load the text encoder in the worker's main process, before its pool forks.

    Importing torch and sentence-transformers takes about 5 s. Loaded here,
    every pool process starts with them, including the one that replaces a
    process killed mid-task: the task it is handed back starts at once
    instead of after a second load, and the processes share the model's
    memory pages. On a GPU only the libraries are imported: CUDA cannot be
    set up before a fork, so each pool process moves the model to its device
    itself.
    """
    # Imported here: this module is loaded by recsite/__init__.py, before
    # Django's settings are configured.
    from django.conf import settings

    if not settings.EMBEDDING_PRELOAD:
        return
    if settings.EMBEDDING_DEVICE == "cpu":
        from engine.encoder import get_encoder  # needs the app registry, ready by now

        get_encoder()
    else:
        import sentence_transformers  # noqa: F401
