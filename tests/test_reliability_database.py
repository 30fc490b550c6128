"""The database goes away while the site runs, and comes back.

A production gunicorn (docs/production.env, one worker, two threads) serves
from a PostgreSQL of this test's own, in a temporary folder: never the
suite's shared server. The test stops that server under the running site,
checks what people and probes get meanwhile, starts it again and checks that
the very same processes serve as before.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.conftest import PROJECT_DIR
from tests.test_deploy import Gunicorn, production_env, socket_database_url

# Seconds. A request during the outage must be answered about at once: the
# socket is gone, so there is nothing to wait for (a TCP database that does
# not answer is bounded by DATABASE_CONNECT_TIMEOUT, 5 s).
PROMPT = 3.0
UNAVAILABLE = "The database is unavailable right now. Please try again in a moment."

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from profiles.services import token_create
from tests.factories import make_item, make_user
item = make_item("The Listening Array")
_, key = token_create(user=make_user("reader"), name="reliability")
print(key, item.pk)
"""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


class Client:
    """HTTP as the proxy forwards it (X-Forwarded-Proto: https)."""

    def __init__(self, base_url: str, key: str = "") -> None:
        self.base_url = base_url
        self.key = key

    def call(self, method: str, path: str, body: dict | None = None, *, signed_in=True) -> Answer:
        headers = {"X-Forwarded-Proto": "https", "Content-Type": "application/json"}
        if signed_in and self.key:
            headers["Authorization"] = f"Token {self.key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data, headers, method=method)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer_headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, raw = error.code, error.headers, error.read()
        return Answer(status, dict(answer_headers), raw, time.monotonic() - started)


class OwnDatabase:
    """A pgserver PostgreSQL (with pgvector) in ``folder``, that this test stops and starts."""

    def __init__(self, folder: Path) -> None:
        from recsite.embedded_postgres import _import_pgserver

        # The project's lock folder: pgserver serialises starts across processes with it.
        self.pgserver = _import_pgserver(PROJECT_DIR / "var" / "run")
        self.server = self.pgserver.get_server(folder, cleanup_mode="stop")

    @property
    def socket_folder(self) -> str:
        return str(self.server.get_postmaster_info().socket_dir)

    def stop(self) -> None:
        # "fast": what a restart or failover does to open sessions: cut them.
        self.pgserver._commands.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user
        )

    def start(self) -> None:
        with self.server._lock:
            self.server.ensure_postgres_running()

    def remove(self) -> None:
        # This process is the server's only handle: this stops it.
        self.server.cleanup()


@pytest.fixture
def site(tmp_path_factory):
    """(gunicorn, its database, an API client with a key, an item id), all started in parallel."""
    folder = tmp_path_factory.mktemp("outage")
    # Not under pytest's folder: the server runs as another system user
    # (pgserver's, when we are root) that must reach it, and every pytest
    # start resets that folder's parents to owner-only.
    database_folder = Path(tempfile.mkdtemp(prefix="recsite-outage-"))
    # pgserver puts the socket in the data folder when its path is short enough.
    pgdata = database_folder / "pgdata"
    env = production_env(folder, DATABASE_URL=socket_database_url(str(pgdata), "postgres"))
    # Slow starts side by side: static files with the database, then gunicorn
    # loading the encoder (nothing connects before the first request) with
    # the schema. gunicorn builds the site before forking (preload_app), and
    # whitenoise reads the collected files and their manifest then: it must
    # start after collectstatic, as a deployment starts it.
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = None
    database = None
    try:
        database = OwnDatabase(pgdata)
        assert database.socket_folder == str(pgdata)
        assert collect.wait(timeout=120) == 0, collect.stderr.read()
        server = Gunicorn(env, folder / "gunicorn.log", workers=1)
        setup = subprocess.run(
            [sys.executable, "-c", SETUP],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert setup.returncode == 0, setup.stderr
        key, item_id = setup.stdout.split()
        server.wait_until_live()
        yield server, database, Client(server.base_url, key), int(item_id)
    finally:
        if server is not None:
            server.stop(graceful=False)
        collect.kill()
        if database is not None:
            database.remove()
        shutil.rmtree(database_folder, ignore_errors=True)


def assert_unavailable_json(answer: Answer) -> None:
    assert answer.status == 503, answer.body
    assert answer.json()["message"] == UNAVAILABLE
    assert answer.json()["extra"]["request_id"] == answer.headers["X-Request-ID"]
    assert answer.headers["Retry-After"] == "10"
    assert answer.seconds < PROMPT


class TestDatabaseRestart:
    def test_outage_answers_503_and_the_same_processes_serve_again(self, site):
        server, database, client, item_id = site
        # Before: every thread keeps a database connection open (CONN_MAX_AGE).
        for _ in range(4):
            assert client.call("GET", "/api/items/", signed_in=False).status == 200
            assert client.call("GET", "/api/profile/").status == 200
        processes = {server.process.pid, *server.worker_pids()}

        database.stop()

        # Twice each: the kept connections break first, then fresh ones fail.
        for _ in range(2):
            assert_unavailable_json(client.call("GET", "/api/items/", signed_in=False))
            assert_unavailable_json(client.call("GET", "/api/profile/"))
            assert_unavailable_json(
                client.call(
                    "POST", "/api/interactions/", {"item": item_id, "kind": "rating", "value": 4}
                )
            )
            page = client.call("GET", "/", signed_in=False)
            assert page.status == 503 and page.seconds < PROMPT
            assert page.headers["Content-Type"].startswith("text/html")
            assert UNAVAILABLE in page.body.decode()
        # Probes: the process is alive (restarting it would not help), but not ready.
        assert client.call("GET", "/health/live").status == 200
        ready = client.call("GET", "/health/ready")
        assert ready.status == 503 and ready.seconds < PROMPT
        checks = ready.json()["checks"]
        assert checks["database"]["ok"] is False and checks["database"]["error"]
        assert checks["encoder"]["ok"] is True

        database.start()

        # The same processes, with no restart, serve everything again.
        assert client.call("GET", "/health/ready").status == 200
        items = client.call("GET", "/api/items/", signed_in=False)
        assert items.status == 200
        assert [item["title"] for item in items.json()["results"]] == ["The Listening Array"]
        assert client.call("GET", "/api/profile/").status == 200
        rated = client.call(
            "POST", "/api/interactions/", {"item": item_id, "kind": "rating", "value": 4}
        )
        assert rated.status == 201, rated.body
        assert client.call("GET", "/api/interactions/").json()["count"] == 1
        page = client.call("GET", "/", signed_in=False)
        assert page.status == 200 and "The Listening Array" in page.body.decode()
        assert {server.process.pid, *server.worker_pids()} == processes
        assert all(psutil.pid_exists(pid) for pid in processes)
        # The outage is in the logs, each line with its request's id.
        logged = server.log_lines()
        warnings = [line for line in logged if line["message"].startswith("database unavailable")]
        assert len(warnings) >= 6
        assert all(len(line["request_id"]) == 32 for line in warnings)
