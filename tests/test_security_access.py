"""Nobody reaches another person's data: every user-scoped route, tried by someone else.

The routes come from the URL resolver. Each is either public, staff-only, or
the signed-in person's own; every one of the last kind has probes below, so
a new route that nobody classified, or a new personal route without probes,
fails ``TestEveryRouteIsCovered``.

A probe is what "other" sends, with "owner"'s ids where the route takes an
id. Whatever comes back, owner's data is as it was, no answer carries
anything of owner's (their lines, key names, email), and a request naming
owner's object is answered exactly like one naming an object that never
existed.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from engine.models import RecommendationLog
from profiles.models import ApiToken, Interaction
from profiles.services import (
    interaction_record,
    profile_for,
    token_create,
)
from tests.api import anonymous, signed_in
from tests.factories import profile_write_text

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.make_user's
MARKER = "zanzibar"  # in every private thing of owner's, in no public text
NEVER = 987654321  # an id no object has

# Routes anyone may use, and what they are.
PUBLIC = {
    "engine:item_list",  # the catalog
    "engine:item_detail",
    "engine_api:item-list",
    "engine_api:item-detail",  # reads are public; writes are staff-only (TestStaffOnly)
    "engine_api:item-similar",
    "api-schema",
    "api-docs",
    "health-live",
    "health-ready",
    "health-status",  # like metrics: the monitoring networks (and staff) only
    "metrics",
    "login",
    "logout",
    "profiles:signup",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Staff-only routes: a signed-in person who is not staff gets 403.
STAFF = {
    "engine_api:item-bulk-import": ("post", "/api/items/import/"),
    "engine_api:item-embedding-status": ("get", "/api/items/embedding-status/"),
    "engine_api:training": ("get", "/api/training/"),
}


@dataclass
class Probe:
    method: str
    path: str  # with {interaction}, {token}, {item} for owner's objects
    data: dict = field(default_factory=dict)
    # Names one of owner's objects by a global id: must be answered like
    # an id that does not exist.
    names_owners_object: bool = False


API = "api"
WEB = "web"

# route name -> (how it is reached, probes)
PROBES: dict[str, tuple[str, list[Probe]]] = {
    # --- API: the signed-in person's own data ---------------------------------
    "profiles_api:profile": (
        API,
        [
            Probe("get", "/api/profile/"),
            Probe("put", "/api/profile/", {"text": "Likes:\n- boats", "base_revision": 2}),
            Probe("patch", "/api/profile/", {"balance": 0.9}),
        ],
    ),
    "profiles_api:statement": (
        API,
        [
            Probe("patch", "/api/profile/statements/0/", {"weight": 0.2, "base_revision": 2}),
            Probe("delete", "/api/profile/statements/0/", {"base_revision": 2}),
        ],
    ),
    "profiles_api:regenerate": (API, [Probe("post", "/api/profile/regenerate/")]),
    "engine_api:regeneration-preview": (API, [Probe("post", "/api/profile/regenerate/preview/")]),
    "engine_api:regeneration-apply": (
        API,
        [Probe("post", "/api/profile/regenerate/apply/", {"token": "a preview"})],
    ),
    "profiles_api:revision-list": (API, [Probe("get", "/api/profile/revisions/")]),
    "profiles_api:revision-detail": (
        API,
        [Probe("get", "/api/profile/revisions/1/"), Probe("get", "/api/profile/revisions/2/")],
    ),
    "profiles_api:undo": (
        API,
        [Probe("post", "/api/profile/undo/", {"number": 1, "base_revision": 2})],
    ),
    "profiles_api:export": (API, [Probe("get", "/api/profile/export/")]),
    "profiles_api:import": (
        API,
        [Probe("post", "/api/profile/import/", {"text": "Likes:\n- boats", "base_revision": 2})],
    ),
    "profiles_api:account": (
        API,
        [Probe("get", "/api/account/"), Probe("delete", "/api/account/", {"password": "guess"})],
    ),
    "profiles_api:account-export": (API, [Probe("get", "/api/account/export/")]),
    "profiles_api:interaction-list": (
        API,
        [
            Probe("get", "/api/interactions/"),
            Probe("get", "/api/interactions/?item={item}"),
        ],
    ),
    "profiles_api:interaction-detail": (
        API,
        [
            Probe("get", "/api/interactions/{interaction}/", names_owners_object=True),
            Probe(
                "patch",
                "/api/interactions/{interaction}/",
                {"value": 1},
                names_owners_object=True,
            ),
            Probe("delete", "/api/interactions/{interaction}/", names_owners_object=True),
        ],
    ),
    "profiles_api:token-list": (API, [Probe("get", "/api/account/tokens/")]),
    "profiles_api:token-detail": (
        API,
        [Probe("delete", "/api/account/tokens/{token}/", names_owners_object=True)],
    ),
    "engine_api:recommendation-list": (API, [Probe("get", "/api/recommendations/")]),
    "engine_api:recommendation-preview": (
        API,
        [Probe("post", "/api/recommendations/preview/", {"text": "Likes:\n- boats"})],
    ),
    "engine_api:recommendation-why-not": (
        API,
        [Probe("get", "/api/recommendations/why-not/{item}/")],
    ),
    "engine_api:recommendation-steer": (
        API,
        [
            Probe(
                "post",
                "/api/recommendations/steer/",
                {"action": "delete", "statement": 0, "base_revision": 2},
            ),
            Probe("post", "/api/recommendations/steer/", {"action": "exclude", "item": "{item}"}),
            Probe(
                "post",
                "/api/recommendations/steer/",
                {"action": "restore", "revision": 1, "base_revision": 2},
            ),
        ],
    ),
    "engine_api:recommendation-steer-preview": (
        API,
        [
            Probe(
                "post",
                "/api/recommendations/steer/preview/",
                {"action": "edit", "statement": 0, "text": "boats", "base_revision": 2},
            ),
        ],
    ),
    # --- Website ----------------------------------------------------------------
    "profiles:profile": (WEB, [Probe("get", "/profile/")]),
    "profiles:edit": (
        WEB,
        [Probe("post", "/profile/edit/", {"text": "Likes:\n- boats", "base_revision": 2})],
    ),
    "profiles:undo": (WEB, [Probe("post", "/profile/undo/1/", {"base_revision": 2})]),
    "profiles:export": (
        WEB,
        [Probe("get", "/profile/export.json"), Probe("get", "/profile/export.txt")],
    ),
    "profiles:import": (
        WEB,
        [Probe("post", "/profile/import/", {"base_revision": 2, "file": "upload"})],
    ),
    "profiles:regenerate": (WEB, [Probe("post", "/profile/regenerate/")]),
    "profiles:regeneration_status": (WEB, [Probe("get", "/profile/regeneration/")]),
    "profiles:statement_update": (
        WEB,
        [
            Probe(
                "post",
                "/profile/statements/0/",
                {"polarity": "avoid", "weight": 0.2, "base_revision": 2},
            )
        ],
    ),
    "profiles:statement_delete": (
        WEB,
        [Probe("post", "/profile/statements/0/delete/", {"base_revision": 2})],
    ),
    "profiles:welcome": (WEB, [Probe("get", "/welcome/")]),
    "profiles:account": (WEB, [Probe("get", "/account/")]),
    "profiles:token_new": (WEB, [Probe("post", "/account/keys/", {"name": "boat app"})]),
    "profiles:token_revoke": (
        WEB,
        [Probe("post", "/account/keys/{token}/revoke/", names_owners_object=True)],
    ),
    "profiles:account_export": (WEB, [Probe("get", "/account/data.json")]),
    "profiles:account_delete": (
        WEB,
        [
            Probe("get", "/account/delete/"),
            Probe("post", "/account/delete/", {"password": "guess"}),
        ],
    ),
    "password_change": (WEB, [Probe("get", "/accounts/password_change/")]),
    "password_change_done": (WEB, [Probe("get", "/accounts/password_change/done/")]),
    "engine:item_react": (WEB, [Probe("post", "/items/{item}/reaction/", {"action": "unrate"})]),
    "engine:why_not": (WEB, [Probe("get", "/items/{item}/why-not/")]),
    "engine:for_you": (WEB, [Probe("get", "/for-you/")]),
    "engine:for_you_controls": (WEB, [Probe("post", "/for-you/controls/", {"balance": 0.1})]),
    "engine:steer": (
        WEB,
        [
            Probe(
                "post", "/for-you/steer/", {"action": "delete", "statement": 0, "base_revision": 2}
            ),
            Probe("post", "/for-you/steer/", {"action": "exclude", "item": "{item}"}),
            Probe(
                "post",
                "/for-you/steer/",
                {"action": "restore", "revision": 1, "base_revision": 2, "preview": "on"},
            ),
        ],
    ),
    "engine:profile_preview": (
        WEB,
        [Probe("post", "/profile/preview/", {"text": "Likes:\n- boats"})],
    ),
    "engine:regeneration_preview": (WEB, [Probe("post", "/profile/regenerate/preview/")]),
    "engine:regeneration_apply": (
        WEB,
        [Probe("post", "/profile/regenerate/apply/", {"token": "a preview"})],
    ),
}


def route_names() -> set[str]:
    """Every named route of the site (the admin's aside: staff-only by design)."""
    names = set()

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed route {pattern.pattern}: name it and classify it"
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


class TestEveryRouteIsCovered:
    def test_each_route_is_public_staff_only_or_probed_here(self):
        unclassified = route_names() - PUBLIC - set(STAFF) - set(PROBES)
        assert not unclassified, (
            "new routes: add them to PUBLIC or STAFF, or give them cross-user probes in PROBES"
        )

    def test_no_probe_is_for_a_route_that_is_gone(self):
        assert set(PROBES) | set(STAFF) | PUBLIC <= route_names()


@pytest.fixture
def world(sample_catalog, owner, other):
    """owner with a bit of everything, marked; other signed in with nothing of their own."""
    owner.email = f"{MARKER}@example.org"
    owner.save(update_fields=["email"])
    item = sample_catalog["bk-001"]
    interaction = interaction_record(user=owner, item=item, kind="rating", value=5)
    profile_write_text(user=owner, text=f"Likes:\n- {MARKER} lighthouse mysteries", base_revision=0)
    profile_write_text(
        user=owner,
        text=f"Likes:\n- {MARKER} lighthouse mysteries\nAvoids:\n- {MARKER} shipwrecks",
        base_revision=1,
    )
    token, key = token_create(user=owner, name=f"{MARKER} tablet")
    owner_api = signed_in(owner)
    assert owner_api.get("/api/recommendations/").status_code == 200
    return {"item": item.pk, "interaction": interaction.pk, "token": token.pk, "key": key}


def owners_data(owner) -> dict:
    profile = profile_for(owner)
    return {
        "statements": list(
            profile.statements.values_list("position", "text", "polarity", "weight", "pinned")
        ),
        "revision": profile.revision,
        "settings": (profile.balance, profile.personalised),
        "interactions": list(
            Interaction.objects.filter(user=owner).values_list("id", "item_id", "kind", "value")
        ),
        "tokens": list(ApiToken.objects.filter(user=owner).values_list("id", "name")),
        "logs": RecommendationLog.objects.filter(user=owner).count(),
        "active": get_user_model().objects.get(pk=owner.pk).is_active,
    }


def send(client, probe: Probe, ids: dict, *, kind: str):
    path = probe.path.format(**ids)
    data = {
        name: (value.format(**ids) if isinstance(value, str) and "{" in value else value)
        for name, value in probe.data.items()
    }
    if kind == WEB and data.get("file") == "upload":
        data["file"] = SimpleUploadedFile("p.txt", b"Likes:\n- boats", "text/plain")
    method = getattr(client, probe.method)
    if kind == API and probe.method != "get":
        return method(path, data, format="json")
    return method(path, data)


def text_of(response) -> str:
    return b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode(errors="replace")


def without_ids(text: str, ids: dict) -> str:
    for value in ids.values():
        text = re.sub(rf"\b{value}\b", "ID", str(text))
    return text


@pytest.mark.parametrize("route", sorted(PROBES))
def test_another_person_cannot_read_or_change_owners_data(route, world, owner, other):
    kind, probes = PROBES[route]
    if kind == API:
        client = signed_in(other)
    else:
        client = Client()
        client.force_login(other)
    before = owners_data(owner)
    never = dict.fromkeys(("item", "interaction", "token"), NEVER)
    ids = {
        **never,
        "item": world["item"],
        "interaction": world["interaction"],
        "token": world["token"],
    }
    for probe in probes:
        response = send(client, probe, ids, kind=kind)
        body = text_of(response)
        assert response.status_code < 500, (route, probe, body[:300])
        assert MARKER not in body.lower(), (route, probe)
        if probe.names_owners_object:
            assert response.status_code in (302, 403, 404), (route, probe)
            unknown = send(client, probe, {**ids, **never}, kind=kind)
            assert unknown.status_code == response.status_code, (route, probe)
            assert without_ids(text_of(unknown), never) == without_ids(body, ids), (route, probe)
            if response.status_code == 302:
                # The website's buttons answer with a message on the next page.
                shown = text_of(client.get(response["Location"]))
                assert MARKER not in shown.lower()
        assert owners_data(owner) == before, (route, probe)
    # owner's key still works, and still is owner's.
    owner_api = anonymous()
    owner_api.credentials(HTTP_AUTHORIZATION=f"Token {world['key']}")
    assert MARKER in owner_api.get("/api/profile/").content.decode()


class TestStaffOnly:
    @pytest.mark.parametrize("route", sorted(STAFF))
    def test_a_signed_in_person_who_is_not_staff_is_refused(self, route, owner):
        method, path = STAFF[route]
        response = getattr(signed_in(owner), method)(path)
        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("post", "/api/items/"),
            ("put", "/api/items/1/"),
            ("patch", "/api/items/1/"),
            ("delete", "/api/items/1/"),
        ],
    )
    def test_catalog_writes_are_staff_only(self, method, path, owner):
        assert getattr(signed_in(owner), method)(path, {}, format="json").status_code == 403

    def test_the_admin_sends_a_person_who_is_not_staff_to_log_in(self, owner):
        client = Client()
        client.force_login(owner)
        for path in ("/admin/", "/admin/profiles/interaction/", "/admin/catalog/item/"):
            response = client.get(path)
            assert response.status_code == 302 and "/admin/login/" in response["Location"]


class TestSignedOut:
    @pytest.mark.parametrize("route", sorted(PROBES))
    def test_personal_routes_need_a_sign_in(self, route, world):
        kind, probes = PROBES[route]
        client = anonymous() if kind == API else Client()
        never = dict.fromkeys(("item", "interaction", "token"), NEVER)
        for probe in probes:
            response = send(client, probe, {**never, "item": world["item"]}, kind=kind)
            if kind == API:
                assert response.status_code == 401, (route, probe)
            else:
                assert response.status_code == 302, (route, probe)
                assert response["Location"].startswith("/accounts/login/"), (route, probe)
            assert MARKER not in text_of(response).lower()
