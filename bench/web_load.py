"""Web load: "For you" and the editor's preview under concurrent signed-in people.

Usage: python bench/web_load.py [--users 16] [--seconds 30] [--think 0]
                                [--server gunicorn|runserver] [--workers N] [--threads 4]

The production load test of docs/DEPLOY.md: --users 64 --seconds 60.

1. A throw-away database with ml-latest-small (bench/common.py): vectors
   from the var/bench cache, popularity, the collaborative model trained.
2. --users MovieLens people (those whose history is closest to 200
   interactions), each with the same typed 6-line profile, signed in through
   the login form, each with their own cookies and CSRF token.
3. The site in a child process on 127.0.0.1, as in production (DEBUG off,
   the production settings of docs/production.env but plain HTTP, as behind
   a proxy): gunicorn with gunicorn.conf.py (the encoder loaded in the master
   before forking), --workers processes of --threads threads (default: one
   process per CPU), each thread keeping its database connection; or
   runserver --noreload (a new thread, so a new database connection, per
   request).
4. Two phases of --seconds each, every person in a closed loop (a request,
   then --think seconds, then the next):
   - bare: the login page only (sessions, auth, a template, no
     recommendation work): what the stack costs by itself under this load;
   - load: GET /for-you/ (12 picks with reasons, the list logged), then the
     editor's htmx preview POST /profile/preview/ of the profile with one
     line changed (a line not typed before, so it is encoded), then the login
     page again, to see what the heavy pages do to a cheap one.
A request is an error unless it answers 200 with the content its page must
have. Reports requests, errors, p50/p95/p99 and throughput per endpoint,
p50/p95 against the bare phase's, and the memory of each of the site's
processes (resident set, its peak during the load phase, and the
proportional share, which counts pages the workers share with the master
once), sampled every second.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import psutil
from common import (
    BENCH_DB,
    PROJECT_DIR,
    bench_database,
    django_setup,
    movielens_ready,
    people_near,
    percentile,
    profile_text_set,
)
from recommendation_latency import MOODS, PROFILE, SUBJECTS

PASSWORD = "bench-password-not-secret"
LOGIN = "/accounts/login/"
FOR_YOU = "/for-you/"
PREVIEW = "/profile/preview/"
# What a good answer must contain: a full list, a preview list, the form.
EXPECTED = {
    FOR_YOU: 'data-testid="recommendation"',
    PREVIEW: 'data-testid="preview-item"',
    LOGIN: 'name="username"',
}
TIMEOUT = 60
SERVER_START_TIMEOUT = 120


@dataclass
class Sample:
    phase: str
    endpoint: str
    ms: float
    ok: bool


@dataclass
class Person:
    """One simulated person: their own cookies (session, CSRF) and typing."""

    username: str
    base_url: str
    index: int
    jar: CookieJar = field(default_factory=CookieJar)
    typed: int = 0

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf_token(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def fetch(self, path: str, data: dict | None = None, headers=None) -> tuple[int, str]:
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def sign_in(self) -> None:
        status, page = self.fetch(LOGIN)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, page = self.fetch(
            LOGIN,
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 200 or 'data-testid="logout"' not in page:
            raise RuntimeError(f"{self.username} could not sign in (HTTP {status})")

    def next_draft(self) -> str:
        """The profile with one more line, as someone typing a new thought."""
        number = self.typed
        self.typed += 1
        line = f"- {MOODS[number % 10]} {SUBJECTS[(number // 10 + self.index) % 20]}"
        return PROFILE.replace("Avoids:", f"{line}\nAvoids:")

    def request(self, endpoint: str) -> bool:
        if endpoint == PREVIEW:
            status, body = self.fetch(
                PREVIEW,
                {"text": self.next_draft()},
                {"HX-Request": "true", "X-CSRFToken": self.csrf_token()},
            )
        else:
            status, body = self.fetch(endpoint)
        return status == 200 and EXPECTED[endpoint] in body


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The benchmark's server as a DATABASE_URL (production settings require one)."""
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    # The embedded server: its socket folder, percent-encoded as the host.
    socket_folder = connection.get_connection_params()["host"]
    return f"postgresql://postgres@{urllib.parse.quote(socket_folder, safe='')}/{BENCH_DB}"


def site_env(metrics_dir: str, static_dir: str) -> dict[str, str]:
    """The production environment, on the loopback and this benchmark's database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recsite.settings",
        "DATABASE_URL": database_url(),
        "DATABASE_NAME": BENCH_DB,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//"),
        "DEBUG": "0",
        "SECRET_KEY": "web-load-benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback, as behind a TLS-terminating proxy.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMBEDDING_PRELOAD": "1",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        "STATIC_ROOT": static_dir,
    }


def collect_static(env: dict[str, str]) -> None:
    """Production pages name hashed static files: without collectstatic, every page is a 500."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_site(args, port: int, env: dict[str, str]) -> subprocess.Popen:
    env = dict(env)
    if args.server == "gunicorn":
        command = [
            str(PROJECT_DIR / ".venv/bin/gunicorn"),
            "--config=gunicorn.conf.py",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--timeout=120",
            "--log-level=warning",
        ]
    else:
        # runserver starts a thread per request, and a thread's persistent
        # connection stays open after it ends: with the default CONN_MAX_AGE
        # they piled up here past PostgreSQL's 100 connections in seconds.
        env["CONN_MAX_AGE"] = "0"
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return subprocess.Popen(command, cwd=PROJECT_DIR, env=env, start_new_session=True)


class MemorySampler:
    """Samples the resident memory of the site's processes every second."""

    def __init__(self, site: subprocess.Popen) -> None:
        self.root = psutil.Process(site.pid)
        self.peak: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def processes(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            for process in self.processes():
                try:
                    rss = process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self.names.setdefault(process.pid, "master" if process == self.root else "worker")
                self.peak[process.pid] = max(self.peak.get(process.pid, 0), rss)

    def start(self) -> None:
        self._thread.start()

    def report(self) -> None:
        """Now: RSS and PSS of each process; and each one's peak RSS under load."""
        self._stop.set()
        self._thread.join()
        mib = 1024 * 1024
        print(f"{'process':<16}{'pid':>8}{'RSS MiB':>9}{'peak RSS':>9}{'PSS MiB':>9}")
        total_pss = 0
        for process in self.processes():
            info = process.memory_full_info()
            total_pss += info.pss
            name = self.names.get(process.pid, "master" if process == self.root else "worker")
            print(
                f"{name:<16}{process.pid:>8}{info.rss / mib:>9.0f}"
                f"{self.peak.get(process.pid, info.rss) / mib:>9.0f}{info.pss / mib:>9.0f}"
            )
        print(f"{'all (PSS)':<16}{'':>8}{'':>9}{'':>9}{total_pss / mib:>9.0f}")


def wait_until_up(base_url: str, site: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if site.poll() is not None:
            sys.exit(f"the site exited with status {site.returncode}")
        try:
            with urllib.request.urlopen(base_url + LOGIN, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("the site did not answer within two minutes")


def stop_site(site: subprocess.Popen) -> None:
    """SIGTERM lets gunicorn's workers leave cleanly (and detach from the database)."""
    if site.poll() is None:
        os.killpg(site.pid, signal.SIGTERM)
        try:
            site.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(site.pid, signal.SIGKILL)
            site.wait()


def run_phase(people, phase: str, endpoints, seconds: float, think: float) -> list[Sample]:
    """Every person loops over ``endpoints`` until the time is up; all start together."""
    samples: list[Sample] = []
    start = threading.Barrier(len(people))
    failures: list[str] = []

    def loop(person: Person) -> None:
        start.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for endpoint in endpoints:
                began = time.perf_counter()
                try:
                    ok = person.request(endpoint)
                except OSError as error:
                    ok = False
                    failures.append(f"{endpoint}: {error}")
                samples.append(Sample(phase, endpoint, (time.perf_counter() - began) * 1000, ok))
                if think:
                    time.sleep(think)

    threads = [threading.Thread(target=loop, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures[:5]:
        print(f"  failed: {failure}")
    return samples


def prepare_people(count: int) -> list[str]:
    """The people whose history is closest to 200 interactions, ready to sign in."""
    chosen = people_near(count, password=PASSWORD)
    for user in chosen:
        profile_text_set(user, PROFILE)
    return [user.username for user in chosen]


def report(samples: list[Sample], seconds: float) -> None:
    rows: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        rows.setdefault((sample.phase, sample.endpoint), []).append(sample)
    bare = [s.ms for s in rows[("bare", LOGIN)]]
    bare50, bare95 = percentile(bare, 50), percentile(bare, 95)
    print(
        f"{'phase':<6}{'endpoint':<26}{'requests':>9}{'errors':>7}{'req/s':>7}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'p50/bare':>9}{'p95/bare':>9}"
    )
    for (phase, endpoint), group in rows.items():
        times = [s.ms for s in group]
        name = ("POST " if endpoint == PREVIEW else "GET ") + endpoint
        p50, p95 = percentile(times, 50), percentile(times, 95)
        print(
            f"{phase:<6}{name:<26}{len(group):>9}{sum(not s.ok for s in group):>7}"
            f"{len(group) / seconds:>7.1f}{p50:>9.1f}{p95:>9.1f}{percentile(times, 99):>9.1f}"
            f"{max(times):>9.1f}{p50 / bare50:>9.1f}{p95 / bare95:>9.1f}"
        )
    print(f"errors in total: {sum(not s.ok for s in samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--think", type=float, default=0.0, help="pause after each request")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    # Before any work of ours: how busy the machine was with other things.
    load_before = os.getloadavg()
    django_setup()

    with bench_database():
        movielens_ready()
        usernames = prepare_people(args.users)

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        metrics_dir = tempfile.mkdtemp(prefix="web-load-metrics-")
        static_dir = tempfile.mkdtemp(prefix="web-load-static-")
        env = site_env(metrics_dir, static_dir)
        collect_static(env)
        site = start_site(args, port, env)
        try:
            wait_until_up(base_url, site)
            people = [Person(name, base_url, index) for index, name in enumerate(usernames)]
            for person in people:
                person.sign_in()
            # Warm every process and connection, and each person's caches.
            run_phase(people, "warm", [FOR_YOU, PREVIEW], seconds=3, think=0)
            samples = run_phase(people, "bare", [LOGIN], args.seconds, args.think)
            memory = MemorySampler(site)
            memory.start()
            samples += run_phase(
                people, "load", [FOR_YOU, PREVIEW, LOGIN], args.seconds, args.think
            )
            print("\nmemory of the site's processes, after the load phase:")
            memory.report()
        finally:
            stop_site(site)
            shutil.rmtree(metrics_dir, ignore_errors=True)
            shutil.rmtree(static_dir, ignore_errors=True)

    if args.server == "gunicorn":
        server = f"gunicorn (gunicorn.conf.py), {args.workers} processes x {args.threads} threads"
    else:
        server = "runserver --noreload (a thread and a database connection per request)"
    print(
        f"\n{server}, DEBUG off; {args.users} people signed in, closed loop, "
        f"think {args.think:g} s, {args.seconds:g} s per phase; "
        f"{os.cpu_count()} CPUs; load average (1/5/15 min) before the run "
        f"{load_before[0]:.1f}/{load_before[1]:.1f}/{load_before[2]:.1f}, "
        f"after it {os.getloadavg()[0]:.1f}"
    )
    report(samples, args.seconds)


if __name__ == "__main__":
    main()
