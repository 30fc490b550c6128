"""The site's own periodic task: a heartbeat that proves beat and the workers run."""

from celery import shared_task
from django.utils import timezone

from recsite.models import Heartbeat

BEAT = "beat"


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def beat_heartbeat() -> None:
    """Record that beat's schedule reached a worker (every HEALTH_BEAT_SECONDS).

    Idempotent: one row, overwritten. A run that fails (database away) is
    not retried: the next one comes within the period, and /health/status
    reports the gap meanwhile.
    """
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": timezone.now()})
