"""Health endpoints: for load balancers (live, ready) and for monitoring (status).

- /health/live: the process is up and answering (nothing else is checked:
  restarting a web process never fixes a database outage).
- /health/ready: this process can serve pages: the database answers and the
  text encoder is loaded (or loads). 503 while either fails, so a load
  balancer sends traffic elsewhere until it passes again. The broker is not
  checked: with it down, pages and saves still work (tasks are caught up
  later, docs/WORKERS.md), and a broker outage taking every web node out of
  the load balancer would turn a background delay into a site outage.
- /health/status: the background machinery, for monitoring and alerts: a
  real round trip through the broker (publish a message, read it back), the
  tasks waiting in each queue, when beat last ran (recsite.tasks.beat_heartbeat),
  the database and the cache. 503 when any check fails. It names queues and
  errors, so it answers only the monitoring networks (METRICS_ALLOWED_NETWORKS,
  as /metrics) and signed-in staff; anyone else gets 404.

All answer JSON naming each check: ``{"status": ..., "checks": {name: {"ok":
bool, "ms": float, "error": str, ...}}}``; status adds ``"queues"``.
"""

import os
import socket
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Queue

from engine.encoder import get_encoder
from profiles.login import client_address
from recsite import metrics
from recsite.celery import app
from recsite.models import Heartbeat
from recsite.tasks import BEAT

# Beat is late once this many heartbeats in a row are missing.
BEAT_MISSED_RUNS = 3


class CheckFailed(Exception):
    """A check that failed with details worth reporting beside its error."""

    def __init__(self, message: str, **details) -> None:
        super().__init__(message)
        self.details = details


def _database(alias: str) -> None:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop the broken connection so the next probe opens a fresh one.
        connection.close()
        raise


def _encoder() -> None:
    # Loaded once per process: instant after start-up (gunicorn.conf.py loads
    # it before forking), about 5 s the first time elsewhere.
    get_encoder()


def _broker_round_trip() -> None:
    """Publish a message to a queue of this process's own and read it back.

    Connecting is not enough: a broker can accept connections and still
    refuse every message (a filesystem broker whose folder cannot be
    written, a Redis out of memory). The queue is named for the host and
    process, so two processes checking at once never take each other's
    message; on RabbitMQ it expires a minute after its last use.
    """
    name = f"{settings.CELERY_QUEUE_PREFIX}health.{socket.gethostname()}.{os.getpid()}"
    token = uuid.uuid4().hex
    timeout = settings.METRICS_BROKER_TIMEOUT
    with app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=timeout,
        transport_options=metrics.broker_transport_options(),
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
        queue = connection.SimpleQueue(Queue(name, routing_key=name, expires=60))
        try:
            queue.put({"token": token}, serializer="json")
            deadline = time.monotonic() + timeout
            while True:
                # An older check's message (one that timed out) may come first.
                message = queue.get(timeout=max(0.01, deadline - time.monotonic()))
                message.ack()
                if message.payload.get("token") == token:
                    return
        finally:
            queue.close()


def _queues() -> dict[str, int]:
    return metrics.queue_lengths(metrics.queue_names())


def _beat() -> dict:
    beat = Heartbeat.objects.filter(name=BEAT).first()
    expected = settings.HEALTH_BEAT_SECONDS
    if beat is None:
        raise CheckFailed(
            "no run recorded: is celery beat (or a worker with -B) running, "
            "with a worker on the profiles queue?"
        )
    age = (timezone.now() - beat.at).total_seconds()
    details = {"last_run": beat.at.isoformat(), "age_s": round(age, 1)}
    if age > BEAT_MISSED_RUNS * expected:
        raise CheckFailed(
            f"the last run was {age:.0f} s ago, expected every {expected} s", **details
        )
    return details


def _cache() -> None:
    """Write and read back a key: with CACHE_URL, a real trip to the shared cache."""
    key = f"health:{socket.gethostname()}:{os.getpid()}"
    token = uuid.uuid4().hex
    cache.set(key, token, 30)
    if cache.get(key) != token:
        raise CheckFailed("a value written was not read back")


def _run(check: Callable[[], dict | None]) -> dict:
    started = time.perf_counter()
    result: dict = {"ok": True}
    try:
        result.update(check() or {})
    except CheckFailed as failed:
        result = {"ok": False, "error": str(failed), **failed.details}
    except Exception as exc:  # each backend raises its own types; all mean "failing"
        text = str(exc).strip().splitlines()
        result = {"ok": False, "error": f"{type(exc).__name__}: {text[0] if text else ''}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _answer(checks: dict[str, dict], *, failing: str = "unavailable", **extra) -> JsonResponse:
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else failing, "checks": checks, **extra},
        status=200 if ok else 503,
    )


def _databases() -> dict[str, dict]:
    checks = {"database": _run(lambda: _database("default"))}
    if "replica" in settings.DATABASES:
        checks["database_replica"] = _run(lambda: _database("replica"))
    return checks


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return _answer({"process": {"ok": True, "ms": 0.0}})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = _databases()
    checks["encoder"] = _run(_encoder)
    return _answer(checks)


def _may_see_status(request: HttpRequest) -> bool:
    # The address as the rate limits see it: behind a trusted proxy, the
    # client's, so a proxy on 127.0.0.1 does not make everyone "local".
    user = getattr(request, "user", None)
    return metrics.address_allowed(client_address(request)) or bool(user and user.is_staff)


@never_cache
@require_GET
def status(request: HttpRequest) -> JsonResponse:
    if not _may_see_status(request):
        raise Http404
    checks = _databases()
    checks["broker"] = _run(_broker_round_trip)
    queues: dict[str, int] = {}

    def read_queues() -> None:
        queues.update(_queues())

    checks["queues"] = _run(read_queues)
    checks["beat"] = _run(_beat)
    checks["cache"] = _run(_cache)
    return _answer(checks, failing="failing", queues=queues, checked_at=timezone.now().isoformat())
