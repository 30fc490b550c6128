"""Request ids, request log lines, a clear 503 while the database is away, and the CSP header."""

import logging
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.renderers import BrowsableAPIRenderer

from recsite.logs import current_request_id, request_id_from

logger = logging.getLogger("recsite.requests")

# Seconds a client is asked to wait before trying again: a database restart
# or a replica promotion takes about this long.
RETRY_AFTER_SECONDS = 10

_UNAVAILABLE_MESSAGE = "The database is unavailable right now. Please try again in a moment."
_UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body><h1>Temporarily unavailable</h1>
<p>{message}</p><p><small>Request id: {request_id}</small></p></body></html>
"""


class RequestIdMiddleware:
    """Gives each request an id (X-Request-ID in and out) and logs one line for it.

    The id is the incoming X-Request-ID when it looks like one (a proxy's),
    else a fresh one; every log line written while the request is served
    carries it (recsite.logs), and the answer returns it in X-Request-ID.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            milliseconds = (time.perf_counter() - started) * 1000
            logger.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                milliseconds,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(milliseconds, 1),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503: JSON in the API's error shape under /api/, a plain page elsewhere.

    Built without templates or sessions: both may need the database.
    """
    request_id = getattr(request, "request_id", current_request_id.get())
    if _is_api(request):
        response = JsonResponse(
            {"message": _UNAVAILABLE_MESSAGE, "extra": {"request_id": request_id}}, status=503
        )
    else:
        response = HttpResponse(
            _UNAVAILABLE_PAGE.format(message=_UNAVAILABLE_MESSAGE, request_id=request_id),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_error(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503, not 500.

    Django closes a broken connection at the end of the request (it is
    marked unusable), and CONN_HEALTH_CHECKS tests a kept one before reuse,
    so once the database is back the same process simply serves again.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not _database_error(exception):
            return None
        first_line = (str(exception).strip().splitlines() or [type(exception).__name__])[0]
        logger.warning("database unavailable: %s", first_line)
        return database_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database error outside a view (a middleware's) is still a 503.

    Django calls this while handling the exception, so sys.exc_info() is it.
    """
    if _database_error(sys.exc_info()[1]):
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse(
            {
                "message": "Something went wrong on our side.",
                "extra": {"request_id": getattr(request, "request_id", current_request_id.get())},
            },
            status=500,
        )
    return defaults.server_error(request)


def content_security_policy(*, inline_styles: bool = False) -> str:
    """settings.CONTENT_SECURITY_POLICY as a header value.

    ``inline_styles`` adds 'unsafe-inline' to style-src only: for DRF's
    browsable API, whose templates (not ours) carry style attributes and a
    <style> for code highlighting. Scripts stay our own files there too.
    """
    policy = dict(settings.CONTENT_SECURITY_POLICY)
    if inline_styles and "style-src" in policy:
        policy["style-src"] = [*policy["style-src"], "'unsafe-inline'"]
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sends the site's Content-Security-Policy with every answer.

    The policy allows scripts, styles and everything else from the site's
    own origin only, and no inline script or style: markup that slipped
    past escaping could not run. Every page is built for it (htmx's
    indicator styles are in site.css, Swagger UI starts from a static file);
    tests/test_browser_csp.py loads each kind of page in Chromium and
    listens for violations.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            browsable = isinstance(
                getattr(response, "accepted_renderer", None), BrowsableAPIRenderer
            )
            response.headers.setdefault(
                "Content-Security-Policy", content_security_policy(inline_styles=browsable)
            )
        return response
