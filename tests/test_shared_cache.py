"""Log-in limits and API rates hold across processes when CACHE_URL names a shared Redis.

gunicorn with two workers, on docs/production.env's settings, against this
run's test database and a Redis database with a key prefix of this test run's
own. Every request goes over a kept-alive connection whose worker is known
(read from the operating system's table of sockets), so the attempts are
spread over both workers on purpose, not left to chance: with counts kept in
each process, both workers would stay under the limits.
"""

import http.client
import os
import re
import subprocess
import sys
import urllib.parse
import uuid

import psutil
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.conftest import PROJECT_DIR
from tests.factories import make_user
from tests.test_deploy import Gunicorn, production_env, suite_database_url

# A Redis of the machine (CI runs one; so does the development machine). The
# key prefix below is unique to each run, so runs sharing it never meet.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "a long enough passphrase"
USERNAME_LIMIT = 5  # LOGIN_FAILURES_PER_USERNAME's default
ANON_RATE = 4  # API_RATE_ANON for this site: anonymous API calls a minute


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({exc}); set TEST_REDIS_URL to one")
    return client


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    redis_client = redis_or_skip()
    prefix = f"test-{os.environ['RECSITE_TEST_RUN']}-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("shared-cache")
    with django_db_blocker.unblock():
        env = production_env(
            folder,
            DATABASE_URL=suite_database_url(),
            CACHE_URL=REDIS_URL,
            CACHE_KEY_PREFIX=prefix,
            API_RATE_ANON=str(ANON_RATE),
        )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    server = Gunicorn(env, folder / "gunicorn.log", workers=2)
    try:
        server.wait_until_live()
        yield server
    finally:
        server.stop(graceful=False)
        keys = list(redis_client.scan_iter(match=f"{prefix}:*"))
        if keys:
            redis_client.delete(*keys)


class WorkerConnection:
    """One kept-alive HTTP connection to the site, and the gunicorn worker that holds it."""

    def __init__(self, site: Gunicorn) -> None:
        self.site = site
        self.http = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
        # The first request makes a worker accept the connection.
        status, _, page = self.request("GET", "/accounts/login/")
        assert status == 200, page
        self.worker = self._worker()

    cookie = ""

    def _worker(self) -> int:
        port = self.http.sock.getsockname()[1]
        for pid in self.site.worker_pids():
            for found in psutil.Process(pid).net_connections(kind="tcp"):
                if found.raddr and found.raddr.port == port:
                    return pid
        raise AssertionError(f"no gunicorn worker holds the connection from port {port}")

    def request(self, method: str, path: str, form: dict | None = None):
        origin = f"https://127.0.0.1:{self.site.port}"
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Connection": "keep-alive"}
        if self.cookie:
            headers["Cookie"] = f"csrftoken={self.cookie}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.http.request(method, path, body=body, headers=headers)
        response = self.http.getresponse()
        page = response.read().decode()
        found = re.search(r"csrftoken=([A-Za-z0-9]+)", response.getheader("Set-Cookie") or "")
        if found:
            self.cookie = found.group(1)
        return response.status, dict(response.getheaders()), page

    def log_in(self, username: str, password: str) -> tuple[int, str]:
        status, _, page = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.cookie},
        )
        return status, page


def one_connection_per_worker(site: Gunicorn) -> tuple[WorkerConnection, WorkerConnection]:
    """Open connections until each of the two workers holds one (the kernel picks)."""
    held: dict[int, WorkerConnection] = {}
    for _ in range(40):
        opened = WorkerConnection(site)
        if opened.worker in held:
            opened.http.close()
        else:
            held[opened.worker] = opened
        if len(held) == 2:
            return tuple(held.values())
    pytest.fail(f"40 connections all went to gunicorn worker(s) {sorted(held)}")


@pytest.mark.django_db(transaction=True)
class TestLimitsAcrossWorkers:
    def test_failed_log_ins_on_both_workers_add_up_to_one_username_limit(self, site):
        owner = make_user("owner")
        # The site runs the production hashers; the suite's fast one is not among them.
        owner.password = PBKDF2PasswordHasher().encode(PASSWORD, "sharedcachesalt")
        owner.save(update_fields=["password"])
        first, second = one_connection_per_worker(site)
        assert first.worker != second.worker

        status, _ = first.log_in("owner", PASSWORD)
        assert status == 302, "the right password signs in before any failure"
        for attempt in range(USERNAME_LIMIT):
            status, page = (first, second)[attempt % 2].log_in("owner", "wrong guess")
            assert status == 200 and "correct username and password" in page, attempt
        # Three failures on one worker, two on the other: only a count that
        # both share has reached five.
        status, page = second.log_in("owner", PASSWORD)
        assert status == 429
        assert "Too many failed log-in attempts for this username" in page
        status, _ = first.log_in("owner", PASSWORD)
        assert status == 429

    def test_anonymous_api_calls_on_both_workers_add_up_to_one_rate(self, site):
        first, second = one_connection_per_worker(site)
        for call in range(ANON_RATE):
            status, _, body = (first, second)[call % 2].request("GET", "/api/items/")
            assert status == 200, body
        status, headers, _ = first.request("GET", "/api/items/")
        assert status == 429
        assert int(headers["Retry-After"]) > 0
        assert second.request("GET", "/api/items/")[0] == 429
