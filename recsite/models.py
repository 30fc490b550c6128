"""What the site's own plumbing records: the periodic heartbeat that says beat runs."""

from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic signal arrived, by name (one row each).

    ``beat``: beat sent recsite.tasks.beat_heartbeat and a worker ran it, so
    the schedule, the broker and a worker on the profiles queue all worked
    then. /health/status reads it; the cache would not do, as without
    CACHE_URL each process has its own.
    """

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at.isoformat()}"
