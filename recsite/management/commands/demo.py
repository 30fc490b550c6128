import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from recsite.management.commands.load_demo import demo_login
from recsite.management.database import MigratedDatabaseCommand

STOP_GRACE_SECONDS = 10
# How long runserver, stopped by a terminal's Ctrl-C, gets before it is told again.
TERMINAL_GRACE_SECONDS = 1


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


class _Stop(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame):
    """Ctrl-C, or SIGTERM from a supervisor or `kill`, stops the demo."""
    raise _Stop(signum)


def _start_children(host: str, port: int) -> list[subprocess.Popen]:
    """The demo's Celery worker (with beat) and its web server, in that order."""
    python = sys.executable
    return [
        subprocess.Popen(
            [
                python, "-m", "celery", "-A", "recsite", "worker",
                # No --queues: the one demo worker consumes every queue
                # in CELERY_TASK_QUEUES (embeddings, profiles, training).
                "--concurrency", "1",
                # The filesystem broker has no fanout for these; the
                # demo's single worker does not need them either.
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                # Embedded beat runs the periodic tasks (collaborative
                # training, the catch-up of missed work); fine with the
                # demo's one worker, where a deployment runs `celery
                # beat` once on its own (docs/WORKERS.md).
                "-B",
                "--loglevel", "INFO",
            ],
            cwd=settings.BASE_DIR,
        ),
        subprocess.Popen(
            [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            # runserver serves each request on a new thread; kept
            # connections would pile up to PostgreSQL's limit under load.
            env={**os.environ, "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "0")},
        ),
    ]  # fmt: skip


class Command(MigratedDatabaseCommand):
    help = "Run a Celery worker and the web server together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options):
        if _port_open(host, port):
            raise CommandError(f"{host}:{port} is already in use; stop that server or pass --port")
        # Installed before the children start, so they inherit the default
        # SIGINT action: a shell without job control starts background
        # commands with SIGINT ignored, and the ignore would be inherited.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        # Attach to the embedded database ourselves: the supervisor exits last,
        # and the last process to leave is the one that stops the server.
        connection.ensure_connection()
        children = _start_children(host, port)
        try:
            deadline = time.monotonic() + 60
            while not _port_open(host, port):
                if time.monotonic() > deadline or any(c.poll() is not None for c in children):
                    raise CommandError("the web server did not start; see the messages above")
                time.sleep(0.2)
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nThe demo runs at http://{host}:{port}/  "
                    f"(admin: http://{host}:{port}/admin/, "
                    f"login {demo_login()}). Ctrl-C stops it.\n"
                )
            )
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            raise CommandError("a demo process exited; stopping the others")
        except KeyboardInterrupt as stop:
            self.stdout.write("\nStopping the worker and the web server...")
            if getattr(stop, "signum", signal.SIGINT) == signal.SIGINT:
                # Ctrl-C in a terminal reaches the whole foreground group,
                # the children too. A second SIGINT would turn the worker's
                # warm shutdown into a cold one and cut runserver's exit
                # handlers short, so runserver gets a moment to go alone.
                with contextlib.suppress(subprocess.TimeoutExpired):
                    children[1].wait(timeout=TERMINAL_GRACE_SECONDS)
        finally:
            # The worker: SIGTERM, a warm shutdown however often it comes.
            # runserver: SIGINT (it dies on SIGTERM without its exit handlers).
            for child, stop_signal in zip(children, (signal.SIGTERM, signal.SIGINT), strict=True):
                if child.poll() is None:
                    child.send_signal(stop_signal)
            for child in children:
                try:
                    child.wait(timeout=STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            connection.close()
