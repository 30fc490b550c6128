"""The embedded PostgreSQL: starts on a fresh machine, is shared, stops when unused."""

import json
import subprocess
import sys

import psutil

from tests.conftest import PROJECT_DIR

EXTENSION_VERSION = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute(\"SELECT extversion FROM pg_extension WHERE extname = 'vector'\")\n"
    "    print(c.fetchone()[0])\n"
)


def manage_in(var_dir, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "RECSITE_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "recsite.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def servers_on(data_dir) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(data_dir) in " ".join(
            process.info["cmdline"] or []
        ):
            found.append(process)
    return found


def test_fresh_data_folder_migrates_and_server_stops_after_last_process(tmp_path):
    var_dir = tmp_path / "var"
    data_dir = var_dir / "pgdata"

    migrated = manage_in(var_dir, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert (data_dir / "PG_VERSION").read_text().strip() == "18"
    assert not servers_on(data_dir), "the server outlived the only process using it"

    # A process killed with SIGKILL never detaches; a dead pid left in the
    # list must not keep the server running forever.
    dead = subprocess.Popen(["true"])
    dead.wait()
    (data_dir / ".handle_pids.json").write_text(json.dumps([dead.pid]))

    shell = manage_in(var_dir, "shell", "-c", EXTENSION_VERSION)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-1].startswith("0.8")
    assert not servers_on(data_dir)


SECOND_PROCESS_LEAVES_WITHOUT_DETACHING = (
    "import os, subprocess, sys\n"
    "from django.db import connection\n"
    "connection.ensure_connection()\n"
    "child = (\n"
    "    'import os, django; django.setup()\\n'\n"
    "    'from django.db import connection; connection.ensure_connection()\\n'\n"
    "    'os._exit(0)'  # as Celery's pool processes leave: no exit handlers run\n"
    ")\n"
    "subprocess.run([sys.executable, '-c', child], check=True)\n"
)


def test_server_stops_when_another_process_left_without_detaching(tmp_path):
    var_dir = tmp_path / "var"
    assert manage_in(var_dir, "migrate", "--noinput").returncode == 0
    result = manage_in(var_dir, "shell", "-c", SECOND_PROCESS_LEAVES_WITHOUT_DETACHING)
    assert result.returncode == 0, result.stderr
    assert not servers_on(var_dir / "pgdata")
