"""Liveness, readiness and the monitoring status: 200 or 503, with a JSON body naming each check."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from engine import tasks
from recsite.models import Heartbeat
from recsite.queueing import task_send
from recsite.tasks import beat_heartbeat
from tests.factories import make_user
from tests.test_celery_worker import purge_queues, start_worker, stop_worker


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
    def test_ready_when_database_and_encoder_answer(self, client):
        response = client.get("/health/ready")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "encoder"}
        assert all(check["ok"] for check in body["checks"].values())

    def test_a_broker_that_is_down_never_makes_it_unready(self, client):
        # Pages and saves work without the broker (tasks are caught up later):
        # a load balancer must not take every web node out for it.
        with override_settings(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0", METRICS_BROKER_TIMEOUT=1
        ):
            assert client.get("/health/ready").status_code == 200
            status = Client().get("/health/status")
        assert status.status_code == 503
        assert status.json()["checks"]["broker"]["ok"] is False

    def test_a_model_that_cannot_load_makes_it_unready_and_names_the_setting(self, client):
        with override_settings(EMBEDDING_MODEL="/nonexistent/model-folder"):
            response = client.get("/health/ready")
        assert response.status_code == 503
        encoder = response.json()["checks"]["encoder"]
        assert encoder["ok"] is False
        assert "EMBEDDING_MODEL='/nonexistent/model-folder'" in encoder["error"]


def record_beat(seconds_ago: float = 0) -> None:
    beat_heartbeat()
    Heartbeat.objects.update(at=timezone.now() - timedelta(seconds=seconds_ago))


@contextlib.contextmanager
def queue_folder_that_cannot_be_written(folder):
    """``folder``, made so that this process cannot create a file in it.

    Permissions do not bind root, so as root the folder is made immutable
    (chattr +i) where the filesystem allows it; where nothing works the test
    is skipped, saying so.
    """
    folder.mkdir()
    os.chmod(folder, 0o555)
    immutable = False
    if os.geteuid() == 0 and shutil.which("chattr"):
        immutable = (
            subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        )
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            pass
        else:
            pytest.skip("cannot make a folder unwritable here (root without chattr +i)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        os.chmod(folder, 0o755)


def path_taken_by_a_file(folder):
    folder.write_text("not a folder")
    return contextlib.nullcontext(folder)


@pytest.mark.django_db
class TestStatus:
    """For monitoring: the broker by a real round trip, queue depths, beat's last run."""

    def test_reports_every_part_with_queue_depths_and_beat_s_last_run(self, client):
        purge_queues()
        record_beat(seconds_ago=5)
        assert task_send(tasks.profile_regenerate, user_id=1)
        assert task_send(tasks.profile_regenerate, user_id=2)

        response = client.get("/health/status")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["checks"]) == {"database", "broker", "queues", "beat", "cache"}
        assert all(check["ok"] for check in body["checks"].values())
        assert body["queues"][settings.QUEUE_PROFILES] == 2
        assert body["queues"][settings.QUEUE_EMBEDDINGS] == 0
        assert 4 < body["checks"]["beat"]["age_s"] < 60
        assert response["Cache-Control"].startswith("max-age=0")
        purge_queues()

    @pytest.mark.parametrize(
        ("unusable", "error"),
        [
            (queue_folder_that_cannot_be_written, "ChannelError: Cannot add file"),
            (path_taken_by_a_file, "NotADirectoryError"),
        ],
    )
    def test_a_queue_folder_that_cannot_be_written_fails_the_status_not_readiness(
        self, client, tmp_path, unusable, error
    ):
        record_beat()
        with unusable(tmp_path / "queue") as folder:
            options = {
                **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                "data_folder_in": str(folder),
                "data_folder_out": str(folder),
            }
            with override_settings(CELERY_BROKER_TRANSPORT_OPTIONS=options):
                ready = client.get("/health/ready")
                status = client.get("/health/status")
        # The web node can still serve pages...
        assert ready.status_code == 200
        # ...but nothing it queues would be stored: monitoring hears about it.
        assert status.status_code == 503
        body = status.json()
        assert body["status"] == "failing"
        broker = body["checks"]["broker"]
        assert broker["ok"] is False
        assert broker["error"].startswith(error), broker
        assert body["checks"]["database"]["ok"] and body["checks"]["beat"]["ok"]

    def test_an_unreachable_broker_is_reported_with_no_queue_depths(self, client):
        record_beat()
        with override_settings(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0", METRICS_BROKER_TIMEOUT=1
        ):
            response = client.get("/health/status")
        assert response.status_code == 503
        body = response.json()
        assert body["checks"]["broker"]["ok"] is False
        assert "Error" in body["checks"]["broker"]["error"]
        assert body["checks"]["queues"]["ok"] is False
        assert body["queues"] == {}

    def test_beat_is_late_once_three_heartbeats_are_missing(self, client, settings):
        settings.HEALTH_BEAT_SECONDS = 60
        record_beat(seconds_ago=170)
        assert client.get("/health/status").json()["checks"]["beat"]["ok"] is True
        record_beat(seconds_ago=190)
        response = client.get("/health/status")
        assert response.status_code == 503
        beat = response.json()["checks"]["beat"]
        assert beat["ok"] is False
        assert beat["error"] == "the last run was 190 s ago, expected every 60 s"
        assert 189 < beat["age_s"] < 195 and beat["last_run"]

    def test_beat_that_never_ran_says_what_to_start(self, client):
        beat = client.get("/health/status").json()["checks"]["beat"]
        assert beat["ok"] is False and "celery beat" in beat["error"]

    def test_answers_only_the_monitoring_networks_and_staff(self, client, settings):
        assert client.get("/health/status", REMOTE_ADDR="127.0.0.1").status_code in (200, 503)
        assert Client(REMOTE_ADDR="203.0.113.5").get("/health/status").status_code == 404
        person = Client(REMOTE_ADDR="203.0.113.5")
        person.force_login(make_user("person"))
        assert person.get("/health/status").status_code == 404
        staff = Client(REMOTE_ADDR="203.0.113.5")
        staff.force_login(make_user("operator", is_staff=True))
        assert staff.get("/health/status").status_code in (200, 503)
        # Behind a trusted proxy on 127.0.0.1, the client's own address counts.
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert proxied.get("/health/status").status_code == 404

    def test_only_reads(self, client):
        assert client.post("/health/status").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_beat_records_the_heartbeat_the_status_reads(tmp_path):
    purge_queues()
    log = tmp_path / "worker.log"
    worker = start_worker("--beat", log=log, HEALTH_BEAT_SECONDS="1", EMBEDDING_PRELOAD="0")
    try:
        deadline = timezone.now() + timedelta(seconds=90)
        while not Heartbeat.objects.exists():
            assert worker.poll() is None and timezone.now() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        stop_worker(worker)
    assert "Sending due task beat-heartbeat" in log.read_text()
    beat = Client().get("/health/status").json()["checks"]["beat"]
    assert beat["ok"] is True and beat["age_s"] < 30
