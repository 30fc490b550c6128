"""Health endpoints for load balancers and orchestrators.

- /health/live: the process is up and answering (nothing else is checked:
  restarting a web process never fixes a database outage).
- /health/ready: it can serve: the database answers, the text encoder is
  loaded (or loads), the broker answers. 503 while any of them fails, so a
  load balancer sends traffic elsewhere until it passes again.

Both answer JSON naming each check: ``{"status": "ok"|"unavailable",
"checks": {name: {"ok": bool, "ms": float, "error": str}}}``.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database(alias: str) -> None:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop the broken connection so the next probe opens a fresh one.
        connection.close()
        raise


def _encoder() -> None:
    from engine.encoder import get_encoder

    # Loaded once per process: instant after start-up (gunicorn.conf.py loads
    # it before forking), about 5 s the first time elsewhere.
    get_encoder()


def _broker() -> None:
    from recsite.celery import app

    with app.connection_for_read(
        settings.CELERY_BROKER_URL, connect_timeout=settings.METRICS_BROKER_TIMEOUT
    ) as connection:
        connection.ensure_connection(max_retries=1, timeout=settings.METRICS_BROKER_TIMEOUT)


def _run(check: Callable[[], None]) -> dict:
    started = time.perf_counter()
    result: dict = {"ok": True}
    try:
        check()
    except Exception as exc:  # each backend raises its own types; all mean "not ready"
        text = str(exc).strip().splitlines()
        result = {"ok": False, "error": f"{type(exc).__name__}: {text[0] if text else ''}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _answer(checks: dict[str, dict]) -> JsonResponse:
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return _answer({"process": {"ok": True, "ms": 0.0}})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _run(lambda: _database("default"))}
    if "replica" in settings.DATABASES:
        checks["database_replica"] = _run(lambda: _database("replica"))
    checks["encoder"] = _run(_encoder)
    checks["broker"] = _run(_broker)
    return _answer(checks)
