"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every setting can be changed from the environment (GUNICORN_BIND,
GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT) or on the command line.

The master process imports the site and loads the text encoder once, before
forking its workers (preload_app): importing torch and sentence-transformers
takes about 5 s and the model about 90 MB, so workers start ready to serve
and share the model's memory pages instead of each loading their own copy.
"""

import os
import shutil
import tempfile

# Read by recsite/wsgi.py: the encoder is loaded here, synchronously, in the
# master (on_starting), not on a background thread that a fork could cut in half.
os.environ["EMBEDDING_PRELOAD"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")

# Every worker counts its own requests; they write the counts to files in
# one folder so that /metrics, answered by any one worker, adds all of them
# up (prometheus_client's multiprocess mode). Emptied at each start: counts
# from a previous run's workers must not be added to this one's.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"recsite-gunicorn-{os.getpid()}"),
)
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)

# One process per core already uses every core: thread pools of a worker's
# own in torch and BLAS would fight the other workers for them. On a busy
# 2-core machine one thread encoded a profile line in 13 ms at p95 against
# 36-54 ms with two. Set before the site (and numpy, torch) is imported.
for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")

wsgi_app = "recsite.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Recommendations are CPU-bound (numpy, the encoder): one process per core,
# and a few threads each so requests waiting on the database overlap.
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A preview of a long draft on a busy machine takes a few seconds; a request
# still running after this long is stuck, and its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
preload_app = True
# Requests are logged by the site itself (recsite.requests, with request ids).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy in front sets X-Forwarded-*; trust it only from this address list.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket sits at one path per user ($HOME/.gunicorn):
# a second gunicorn on the machine (a test's, a benchmark's) would take it
# over. Nothing here uses it; signals (HUP, TERM) do the same work.
control_socket_disable = True


def on_starting(server) -> None:
    """Load the encoder in the master, after the site is imported, before any fork.

    Before the listening socket is opened, too: while the model loads a load
    balancer's probe is refused at once, rather than accepted and left
    waiting until it times out (and then answered by a worker anyway).
    """
    from engine.encoder import get_encoder

    encoder = get_encoder()
    server.log.info("text encoder %s loaded before forking workers", encoder.name)


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges from the shared metrics folder."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
