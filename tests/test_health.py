"""Liveness and readiness: 200 or 503, with a JSON body naming each check."""

import socket

import pytest
from django.test import override_settings


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
class TestLiveness:
    def test_answers_while_the_process_runs(self, client):
        response = client.get("/health/live")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"process": {"ok": True, "ms": 0.0}}}
        assert response["Cache-Control"].startswith("max-age=0")

    def test_only_reads(self, client):
        assert client.post("/health/live").status_code == 405


@pytest.mark.django_db
class TestReadiness:
    def test_ready_when_database_encoder_and_broker_answer(self, client):
        response = client.get("/health/ready")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "encoder", "broker"}
        assert all(check["ok"] for check in body["checks"].values())

    def test_an_unreachable_broker_makes_it_unready_and_says_so(self, client):
        with override_settings(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0", METRICS_BROKER_TIMEOUT=1
        ):
            response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["broker"]["ok"] is False
        assert "Error" in body["checks"]["broker"]["error"]
        assert body["checks"]["database"]["ok"] is True

    def test_a_model_that_cannot_load_makes_it_unready_and_names_the_setting(self, client):
        with override_settings(EMBEDDING_MODEL="/nonexistent/model-folder"):
            response = client.get("/health/ready")
        assert response.status_code == 503
        encoder = response.json()["checks"]["encoder"]
        assert encoder["ok"] is False
        assert "EMBEDDING_MODEL='/nonexistent/model-folder'" in encoder["error"]
