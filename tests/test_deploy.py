"""The site as production runs it: gunicorn, gunicorn.conf.py, DEBUG off, whitenoise.

One gunicorn (two workers) on 127.0.0.1, configured by docs/production.env
with only the machine-specific values replaced, against this run's test
database.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import PROJECT_DIR
from tests.test_settings import production_env_file

START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def socket_database_url(socket_folder: str, name: str) -> str:
    return f"postgresql://postgres@{urllib.parse.quote(socket_folder, safe='')}/{name}"


def suite_database_url() -> str:
    """This test run's database on the server the suite uses, as a DATABASE_URL."""
    params = connection.get_connection_params()
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + params["dbname"]
    return socket_database_url(params["host"], params["dbname"])


def production_env(folder: Path, **overrides: str) -> dict[str, str]:
    """docs/production.env with this machine's addresses and folders."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        **production_env_file(),
        "DJANGO_SETTINGS_MODULE": "recsite.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "CELERY_FILESYSTEM_BROKER_DIR": str(folder / "broker"),
        "STATIC_ROOT": str(folder / "static"),
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        "RECSITE_VAR_DIR": str(folder / "var"),
        # Each process's own memory, not the documented Redis: a test that
        # needs the shared cache gives one of its own (tests/test_shared_cache.py).
        "CACHE_URL": "",
        **overrides,
    }


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def get(base_url: str, path: str, *, https: bool = True, headers=None, timeout=30) -> Answer:
    """GET as the proxy forwards it (X-Forwarded-Proto: https), redirects not followed."""
    sent = {"X-Forwarded-Proto": "https"} if https else {}
    request = urllib.request.Request(base_url + path, headers={**sent, **(headers or {})})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


class Gunicorn:
    """gunicorn -c gunicorn.conf.py in its own process group; stderr kept in a file."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config=gunicorn.conf.py",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                "--threads=2",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
            start_new_session=True,
        )

    def wait_until_live(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.process.returncode}):\n{self.log.read_text()}")
            try:
                if get(self.base_url, "/health/live", timeout=5).status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        pytest.fail(f"gunicorn did not answer in {START_TIMEOUT} s:\n{self.log.read_text()}")

    def worker_pids(self) -> set[int]:
        import psutil

        return {child.pid for child in psutil.Process(self.process.pid).children()}

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM and wait; or SIGKILL, for a test that is done with it.

        A graceful stop takes seconds: each process that loaded torch spends
        about 4 s in the interpreter's exit.
        """
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_lines(self) -> list[dict]:
        """The JSON log lines (gunicorn's own start-up lines are plain text)."""
        lines = []
        for line in self.log.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    with django_db_blocker.unblock():
        env = production_env(folder, DATABASE_URL=suite_database_url())
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    server = Gunicorn(env, folder / "gunicorn.log")
    try:
        server.wait_until_live()
        yield server
    finally:
        server.stop()


@pytest.mark.django_db
class TestProductionServer:
    def test_is_ready_with_the_encoder_loaded_before_any_request(self, site):
        answer = get(site.base_url, "/health/ready")
        assert answer.status == 200, answer.body
        checks = answer.json()["checks"]
        assert all(check["ok"] for check in checks.values()), checks
        # Loaded in the master at start-up: no request pays the ~5 s.
        assert checks["encoder"]["ms"] < 500

    def test_plain_http_is_sent_to_https_but_probes_are_not(self, site):
        answer = get(site.base_url, "/", https=False)
        assert answer.status == 301
        assert answer.headers["Location"] == f"https://127.0.0.1:{site.port}/"
        assert get(site.base_url, "/health/ready", https=False).status == 200

    def test_https_answers_carry_hsts_and_a_request_id(self, site):
        answer = get(site.base_url, "/", headers={"X-Request-ID": "deploy-test-1"})
        assert answer.status == 200
        assert answer.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert answer.headers["X-Request-ID"] == "deploy-test-1"

    def test_swagger_ui_assets_are_served_from_collected_static_files(self, site):
        page = get(site.base_url, "/api/docs/")
        assert page.status == 200
        assets = re.findall(
            r'/static/drf_spectacular_sidecar/[^"]+\.[0-9a-f]{12}\.(?:css|js)', page.body.decode()
        )
        assert len(assets) >= 2, "the docs page names hashed Swagger UI files"
        for asset in assets:
            answer = get(site.base_url, asset)
            assert answer.status == 200 and len(answer.body) > 1000, asset
            # Hashed names never change content: cached for good.
            assert "immutable" in answer.headers["Cache-Control"]

    def test_logs_are_json_lines_with_request_ids(self, site):
        get(site.base_url, "/health/live", headers={"X-Request-ID": "deploy-test-2"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            mine = [line for line in site.log_lines() if line.get("request_id") == "deploy-test-2"]
            if mine:
                break
            time.sleep(0.2)
        assert [(line["logger"], line["path"], line["status"]) for line in mine] == [
            ("recsite.requests", "/health/live", 200)
        ]

    def test_metrics_add_up_every_worker(self, site):
        def live_count() -> float:
            text = get(site.base_url, "/metrics", https=False).body.decode()
            return sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("django_http_requests_total_by_view_transport_method_total{")
                and 'view="health-live"' in line
            )

        before = live_count()
        # A connection each: both workers take some of them.
        for _ in range(12):
            assert get(site.base_url, "/health/live").status == 200
        assert live_count() == before + 12
        text = get(site.base_url, "/metrics", https=False).body.decode()
        assert "recsite_celery_queue_length{" in text
