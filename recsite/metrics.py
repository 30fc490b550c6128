"""Prometheus metrics: what django-prometheus does not know about us.

django-prometheus counts requests and times them by view (its two
middlewares). Here:
- how long recommendation lists take to build: the engine times every list
  it serves and logs it (engine.RecommendationLog.milliseconds); each new log
  row is observed here, so the engine needs no metrics code (previews are
  not logged: django-prometheus's per-view latency covers them);
- Celery task outcomes and durations, from Celery's signals, in whatever
  process runs the task (a worker exposes them on CELERY_METRICS_PORT);
- how many tasks wait in each queue, read from the broker on every scrape;
- the /metrics view, which answers only METRICS_ALLOWED_NETWORKS.

Several processes (gunicorn's workers, Celery's pool) each count their own;
with PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it) every process
writes its numbers there and a scrape of any one of them adds them all up.
"""

import ipaddress
import logging
import os
import time

import prometheus_client
from celery import signals
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from kombu.exceptions import ChannelError
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from recsite.celery import app

logger = logging.getLogger(__name__)

# Seconds. A list takes ~20-60 ms here; a cold cache or a busy machine
# reaches into the seconds.
RECOMMENDATION_SECONDS = prometheus_client.Histogram(
    "recsite_recommendation_seconds",
    "Time the engine took to build a person's recommendation list (as logged).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = prometheus_client.Counter(
    "recsite_celery_tasks",
    "Celery tasks finished, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = prometheus_client.Histogram(
    "recsite_celery_task_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
    buckets=(0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)


@receiver(post_save, sender="engine.RecommendationLog", weak=False)
def _recommendation_served(instance, created: bool, **_) -> None:
    if created:
        RECOMMENDATION_SECONDS.observe(instance.milliseconds / 1000)


# --- Celery signals ---------------------------------------------------------------
# Connected when this module is imported (recsite/apps.py does, in every
# process that sets Django up, workers included). Keyed by task id: a task
# that is retried starts again with a new prerun.
_started: dict[str, float] = {}


@signals.task_prerun.connect(weak=False)
def _task_started(task_id=None, **_) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id=None, task=None, state=None, **_) -> None:
    began = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    if began is not None:
        TASK_SECONDS.labels(task=name).observe(time.perf_counter() - began)
    outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state)
    if outcome:
        TASKS.labels(task=name, outcome=outcome).inc()


@signals.worker_ready.connect(weak=False)
def _serve_worker_metrics(**_) -> None:
    """A worker started with CELERY_METRICS_PORT serves its metrics there."""
    port = os.environ.get("CELERY_METRICS_PORT")
    if port:
        prometheus_client.start_http_server(
            int(port),
            addr=os.environ.get("CELERY_METRICS_ADDRESS", "127.0.0.1"),
            registry=registry(),
        )


# --- Queue lengths ----------------------------------------------------------------


def queue_names() -> list[str]:
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *app.amqp.queues.keys()})


def broker_transport_options() -> dict:
    """The broker's options as settings give them now (the Celery app keeps its first copy)."""
    return dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}))


def queue_lengths(names: list[str]) -> dict[str, int]:
    """Messages waiting in each queue; raises if the broker cannot be reached.

    A queue nothing was ever sent to does not exist yet on some brokers
    (Redis, RabbitMQ): it counts as empty.
    """
    lengths = {}
    with app.connection_for_read(
        settings.CELERY_BROKER_URL,
        connect_timeout=settings.METRICS_BROKER_TIMEOUT,
        transport_options=broker_transport_options(),
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.METRICS_BROKER_TIMEOUT)
        for name in names:
            # A channel per queue: AMQP closes a channel after a passive
            # declare of a missing queue.
            with connection.channel() as channel:
                try:
                    lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except ChannelError:
                    lengths[name] = 0
    return lengths


class QueueCollector:
    """Reads queue lengths from the broker when Prometheus scrapes."""

    def collect(self):
        up = GaugeMetricFamily("recsite_celery_broker_up", "1 if the broker answered this scrape.")
        lengths = GaugeMetricFamily(
            "recsite_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        try:
            found = queue_lengths(queue_names())
        except Exception as exc:  # any broker's connection error
            logger.warning("could not read queue lengths from the broker: %s", exc)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for name, count in found.items():
                lengths.add_metric([name], count)
        yield up
        yield lengths


def registry() -> prometheus_client.CollectorRegistry:
    """This process's metrics, or every process's where they share a folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        return combined
    return prometheus_client.REGISTRY


def address_allowed(address: str) -> bool:
    """Whether ``address`` is in METRICS_ALLOWED_NETWORKS (monitoring may read)."""
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, for METRICS_ALLOWED_NETWORKS only (404 for others)."""
    if not address_allowed(request.META.get("REMOTE_ADDR", "")):
        raise Http404
    queues = prometheus_client.CollectorRegistry(auto_describe=False)
    queues.register(QueueCollector())
    body = prometheus_client.generate_latest(registry()) + prometheus_client.generate_latest(queues)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
