"""Who may call each API route: an explicit table, so no endpoint is public by accident.

DRF's default permission is IsAuthenticated (recsite/settings.py); the public
routes name theirs. Every route the URL resolver knows under /api/ is listed
here with its method and permission classes: a new endpoint fails
``test_every_route_has_the_permissions_in_the_table`` until someone decides,
in this table, who may call it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.schemas.generators import is_api_view

from tests.api import anonymous, signed_in

# Anyone, signed in or not.
PUBLIC = ("AllowAny",)
# Anyone reads the catalog; only staff change it (engine/api.py).
CATALOG = ("StaffWritesOnly",)
SIGNED_IN = ("IsAuthenticated",)
STAFF = ("IsAdminUser",)

PERMISSIONS = {
    # The schema and its Swagger UI page.
    ("GET", "/api/schema/"): PUBLIC,
    ("GET", "/api/docs/"): PUBLIC,
    # The catalog: browsing, search and similar items are public.
    ("GET", "/api/items/"): CATALOG,
    ("POST", "/api/items/"): CATALOG,
    ("GET", "/api/items/{pk}/"): CATALOG,
    ("PUT", "/api/items/{pk}/"): CATALOG,
    ("PATCH", "/api/items/{pk}/"): CATALOG,
    ("DELETE", "/api/items/{pk}/"): CATALOG,
    ("GET", "/api/items/{pk}/similar/"): CATALOG,
    ("GET", "/api/items/embedding-status/"): STAFF,
    ("POST", "/api/items/import/"): STAFF,
    ("GET", "/api/training/"): STAFF,
    ("POST", "/api/training/"): STAFF,
    # A person's own data.
    ("GET", "/api/account/"): SIGNED_IN,
    ("DELETE", "/api/account/"): SIGNED_IN,
    ("GET", "/api/account/export/"): SIGNED_IN,
    ("GET", "/api/account/tokens/"): SIGNED_IN,
    ("POST", "/api/account/tokens/"): SIGNED_IN,
    ("DELETE", "/api/account/tokens/{pk}/"): SIGNED_IN,
    ("GET", "/api/interactions/"): SIGNED_IN,
    ("POST", "/api/interactions/"): SIGNED_IN,
    ("GET", "/api/interactions/{pk}/"): SIGNED_IN,
    ("PATCH", "/api/interactions/{pk}/"): SIGNED_IN,
    ("DELETE", "/api/interactions/{pk}/"): SIGNED_IN,
    ("GET", "/api/profile/"): SIGNED_IN,
    ("PUT", "/api/profile/"): SIGNED_IN,
    ("PATCH", "/api/profile/"): SIGNED_IN,
    ("GET", "/api/profile/export/"): SIGNED_IN,
    ("POST", "/api/profile/import/"): SIGNED_IN,
    ("POST", "/api/profile/regenerate/"): SIGNED_IN,
    ("POST", "/api/profile/regenerate/preview/"): SIGNED_IN,
    ("POST", "/api/profile/regenerate/apply/"): SIGNED_IN,
    ("GET", "/api/profile/revisions/"): SIGNED_IN,
    ("GET", "/api/profile/revisions/{number}/"): SIGNED_IN,
    ("PATCH", "/api/profile/statements/{position}/"): SIGNED_IN,
    ("DELETE", "/api/profile/statements/{position}/"): SIGNED_IN,
    ("POST", "/api/profile/undo/"): SIGNED_IN,
    ("GET", "/api/recommendations/"): SIGNED_IN,
    ("POST", "/api/recommendations/preview/"): SIGNED_IN,
    ("POST", "/api/recommendations/steer/"): SIGNED_IN,
    ("POST", "/api/recommendations/steer/preview/"): SIGNED_IN,
    ("GET", "/api/recommendations/why-not/{item_id}/"): SIGNED_IN,
}


class _EveryApiView(EndpointEnumerator):
    """The schema generator's walk over the URL resolver, keeping views it leaves out.

    The schema omits its own views (/api/schema/, /api/docs/); their
    permissions matter as much as any other's.
    """

    def should_include_endpoint(self, path, callback, *args, **kwargs) -> bool:
        return is_api_view(callback)


def permissions_in_force() -> dict[tuple[str, str], tuple[str, ...]]:
    """(method, path) -> the permission classes the view checks for that method."""
    table = {}
    for path, _, method, callback in _EveryApiView().get_api_endpoints():
        # As the request would build it: @action(permission_classes=...) arrives
        # in initkwargs and overrides the view set's own.
        view = callback.cls(**callback.initkwargs)
        table[(method, path)] = tuple(type(p).__name__ for p in view.get_permissions())
    return table


def url_patterns(resolver=None, prefix: str = ""):
    """(route as written, callback) for every URL pattern, includes followed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


class TestPermissionTable:
    def test_every_route_has_the_permissions_in_the_table(self):
        assert permissions_in_force() == PERMISSIONS

    def test_every_address_under_api_is_a_drf_view(self):
        # A plain Django view under /api/ would check no DRF permission at all.
        plain = [
            route
            for route, callback in url_patterns()
            if route.startswith("api/") and not is_api_view(callback)
        ]
        assert plain == []

    def test_the_default_is_signed_in_only(self, settings):
        assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
            "rest_framework.permissions.IsAuthenticated"
        ]


def concrete(path: str) -> str:
    """The path with an id that exists in no table: permission is checked before lookup."""
    return re.sub(r"\{[^}]+\}", "987654", path)


@pytest.mark.django_db
class TestAnonymousClients:
    @pytest.mark.parametrize(
        ("method", "path"),
        sorted(key for key, permission in PERMISSIONS.items() if permission in (SIGNED_IN, STAFF)),
    )
    def test_are_refused_where_sign_in_is_needed(self, method, path):
        response = anonymous().generic(method, concrete(path), "{}", "application/json")
        assert response.status_code == 401, response.content
        assert response.json()["message"] == "Authentication credentials were not provided."

    @pytest.mark.parametrize(
        "path", ["/api/items/", "/api/schema/", "/api/docs/", "/api/items/?q=space"]
    )
    def test_read_the_public_routes(self, path):
        assert anonymous().get(path).status_code == 200

    def test_cannot_change_the_catalog(self):
        response = anonymous().post("/api/items/", {"title": "x"}, format="json")
        assert response.status_code == 401


@pytest.mark.django_db
class TestSignedInPeople:
    def test_are_refused_staff_routes(self, owner):
        client = signed_in(owner)
        for method, path in sorted(key for key, value in PERMISSIONS.items() if value == STAFF):
            response = client.generic(method, concrete(path), "{}", "application/json")
            assert response.status_code == 403, (method, path)
