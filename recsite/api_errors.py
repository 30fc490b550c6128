"""One error shape for every 4xx the API returns: ``{"message", "extra"}``."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from recsite.errors import ApplicationError


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            text = _first_message(value)
            return text if field == "non_field_errors" else f"{field}: {text}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        extra = dict(exc.extra)
        # A service names the one field at fault; list it where serializers
        # put theirs, so a client finds every bad-input error in one place.
        if exc.status_code == 400 and isinstance(extra.get("field"), str):
            extra.setdefault("fields", {extra["field"]: [exc.message]})
        return Response({"message": exc.message, "extra": extra}, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Django refuses oversized or odd bodies (DATA_UPLOAD_MAX_MEMORY_SIZE,
    # too many form fields) when DRF first reads them, inside the view.
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request body could not be read.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["fields"] = (
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["wait"] = exc.wait  # seconds, as in the Retry-After header
    response.data = {"message": _first_message(exc.detail), "extra": extra}
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an address under /api/ that no route matches answers in the API's shape.

    Routes take integer ids, so ``/api/items/0.5/`` matches none of them and
    Django itself answers; a client should still get JSON it can read.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found.", "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)
