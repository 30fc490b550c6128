"""What every API endpoint shares: id bounds, input checks, pagination, body parsing,
throttling, a number field.

Named in settings.REST_FRAMEWORK, so nothing here may import rest_framework.views
(its APIView reads these settings while being defined). The error shape is in
recsite/api_errors.py, the schema's additions in recsite/api_schema.py.
"""

from rest_framework import exceptions, pagination, parsers, serializers, throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

# Ids and revision numbers are PostgreSQL integers: anything larger is refused
# as bad input instead of reaching the database.
MAX_ID = 2**63 - 1
MAX_REVISION = 2**31 - 1


def object_id(value: str) -> int:
    """A URL's object id; anything that cannot be one is "not found"."""
    if not value.isdigit() or int(value) > MAX_ID:
        raise exceptions.NotFound()
    return int(value)


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """``data`` (a body or the query string) checked by ``serializer_class``; a 400 if bad."""
    checked = serializer_class(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N`` and ``?page_size=`` (up to 100; PAGE_SIZE when not given)."""

    page_size_query_param = "page_size"
    max_page_size = 100


class StrictFloatField(serializers.FloatField):
    """DRF's FloatField, except that JSON true and false are not the numbers 1 and 0."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a 400 instead of a 500 for absurdly nested bodies.

    Python's decoder recurses once per nesting level, so a body of 100,000
    ``[`` (well under the upload size limit) raises RecursionError, which DRF
    would let through as a server error.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None


# --- Throttling ---------------------------------------------------------------
# Rates are named in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] by scope.
# DRF copies that dict into a class attribute at import time, so a change of
# settings (override_settings in a test) would never reach it: read it anew.


class _RateFromSettings:
    scope: str | None

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous requests, per client address (scope ``anon``)."""


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Every request of a signed-in person (scope ``user``)."""


class WriteRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per person: a stricter budget (scope ``write``).

    An endpoint with its own ``throttle_scope`` (the preview, which writes
    nothing) is left to that scope instead.
    """

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS or getattr(view, "throttle_scope", None):
            return True
        return super().allow_request(request, view)


class ScopedRateThrottle(_RateFromSettings, throttling.ScopedRateThrottle):
    """Endpoints that name a ``throttle_scope`` (``preview``) get that rate too."""


class _WebsiteForm:
    """Stands for a view in the throttles' eyes: a website form and its API twin's scope."""

    def __init__(self, scope: str | None) -> None:
        self.throttle_scope = scope


def website_wait(request, *, scope: str) -> int | None:
    """Seconds a website form must wait when it is over its API twin's rate, else None.

    The page and its API twin share one count (the same cache key: the
    scope and the person's id), so the website is no way around a 429:
    the editor's live preview counts with ``preview``, an upload with
    ``write``. Nothing is counted for a refused request.
    """
    if scope == "write":
        throttle, view = WriteRateThrottle(), _WebsiteForm(None)
    else:
        throttle, view = ScopedRateThrottle(), _WebsiteForm(scope)
    if throttle.allow_request(request, view):
        return None
    return max(1, round(throttle.wait() or 1))
