"""/metrics: requests, recommendation latency, tasks and queues, for trusted scrapers."""

import pytest
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from engine import tasks
from recsite.celery import app
from tests.factories import profile_write_text
from tests.test_health import closed_port


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.django_db
class TestAccess:
    def test_answers_the_local_machine(self, client):
        assert client.get("/metrics").status_code == 200

    def test_is_hidden_from_other_addresses(self, client):
        response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 404
        assert b"recsite_" not in response.content

    def test_answers_a_configured_network(self, client):
        with override_settings(METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"]):
            assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
            assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
class TestRequests:
    def test_counts_requests_by_view(self, client):
        before = value(
            scrape(client),
            "django_http_requests_total_by_view_transport_method_total",
            view="health-live",
            transport="http",
            method="GET",
        )
        for _ in range(3):
            client.get("/health/live")
        after = value(
            scrape(client),
            "django_http_requests_total_by_view_transport_method_total",
            view="health-live",
            transport="http",
            method="GET",
        )
        assert after == before + 3


@pytest.mark.django_db
class TestRecommendationLatency:
    def test_every_served_list_is_observed(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- jazz", base_revision=0)
        client.force_login(owner)
        before = value(scrape(client), "recsite_recommendation_seconds_count")
        assert client.get("/for-you/").status_code == 200
        assert client.get("/api/recommendations/").status_code == 200
        samples = scrape(client)
        assert value(samples, "recsite_recommendation_seconds_count") == before + 2
        assert value(samples, "recsite_recommendation_seconds_sum") > 0


@pytest.mark.django_db
class TestTasks:
    def test_outcomes_are_counted_by_task(self, client):
        name = tasks.item_popularity_refresh.name
        before = scrape(client)
        tasks.item_popularity_refresh.apply(kwargs={"item_ids": []})
        # A task that raises (a bad argument) is a failure, not a success.
        tasks.item_popularity_refresh.apply(kwargs={"item_ids": [], "unexpected": 1})
        after = scrape(client)
        for outcome in ("success", "failure"):
            assert value(after, "recsite_celery_tasks_total", task=name, outcome=outcome) == (
                value(before, "recsite_celery_tasks_total", task=name, outcome=outcome) + 1
            )
        assert value(after, "recsite_celery_task_seconds_count", task=name) == (
            value(before, "recsite_celery_task_seconds_count", task=name) + 2
        )


@pytest.fixture
def default_queue():
    """The test run's default queue, emptied afterwards (a worker test must not get our tasks)."""
    queue = app.conf.task_default_queue
    yield queue
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.mark.django_db
class TestQueues:
    def test_reports_tasks_waiting_in_each_queue(self, client, default_queue):
        base = value(scrape(client), "recsite_celery_queue_length", queue=default_queue)
        for _ in range(2):
            app.send_task("recsite.metrics_test.never_runs", queue=default_queue)
        samples = scrape(client)
        assert value(samples, "recsite_celery_broker_up") == 1
        assert value(samples, "recsite_celery_queue_length", queue=default_queue) == base + 2

    def test_an_unreachable_broker_is_reported_not_an_error(self, client):
        with override_settings(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0", METRICS_BROKER_TIMEOUT=1
        ):
            samples = scrape(client)
        assert value(samples, "recsite_celery_broker_up") == 0
        assert not [key for key in samples if key[0] == "recsite_celery_queue_length"]
