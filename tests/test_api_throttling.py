"""Throttling: every endpoint is rate limited, writes and previews more strictly."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.services import profile_for
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_item
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Set some scopes' rates for one test (the rest keep their generous defaults)."""

    def set_rates(**per_minute: int) -> None:
        current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **current,
                **{scope: f"{n}/minute" for scope, n in per_minute.items()},
            },
        }

    return set_rates


def test_defaults_leave_normal_use_alone(owner):
    client = signed_in(owner)
    for _ in range(30):
        assert client.get("/api/profile/").status_code == 200


def test_anonymous_clients_are_limited_per_address(rates):
    rates(anon=2)
    client = anonymous()
    assert [client.get("/api/items/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/items/")
    assert is_error(response, 429)
    assert int(response["Retry-After"]) > 0
    assert response.json()["extra"]["wait"] > 0
    other_address = anonymous().get("/api/items/", REMOTE_ADDR="10.0.0.7")
    assert other_address.status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(rates):
    rates(anon=1)
    anonymous().get("/api/items/")
    forged = anonymous().get("/api/items/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert is_error(forged, 429)


def test_signed_in_people_are_limited_per_person(rates, owner, other):
    rates(user=3)
    client = signed_in(owner)
    for _ in range(3):
        assert client.get("/api/interactions/").status_code == 200
    assert is_error(client.get("/api/account/"), 429)
    assert signed_in(other).get("/api/account/").status_code == 200


def test_writes_have_a_stricter_rate_of_their_own(rates, owner):
    rates(write=2)
    client = signed_in(owner)
    item = make_item()
    for kind in ("like", "view"):
        response = client.post("/api/interactions/", {"item": item.pk, "kind": kind})
        assert response.status_code == 201
    response = client.post("/api/interactions/", {"item": item.pk, "kind": "dislike"})
    assert is_error(response, 429)
    assert client.get("/api/interactions/").status_code == 200  # reading goes on


def test_previews_have_their_own_rate(rates, owner):
    rates(preview=1, write=1)
    client = signed_in(owner)
    preview = "/api/recommendations/preview/"
    assert client.post(preview, {"text": "Likes:\n- maps"}, format="json").status_code == 200
    assert is_error(client.post(preview, {"text": "Likes:\n- seas"}, format="json"), 429)
    # and do not use up the budget for writes
    assert client.post("/api/account/tokens/", {"name": "app"}).status_code == 201


@pytest.mark.parametrize(("value", "problem"), [("0", "at least 1"), ("lots", "an integer")])
def test_a_rate_that_is_not_a_positive_number_stops_the_start(value, problem):
    result = load_settings(API_RATE_WRITE=value)
    assert result.returncode != 0
    assert f"API_RATE_WRITE must be {problem}" in result.stderr


class TestWebsiteTwins:
    """The editor's live preview and the import form count with their API twins."""

    def test_the_live_preview_is_limited_like_the_api_preview(self, rates, owner, client):
        rates(preview=2)
        client.force_login(owner)
        api = signed_in(owner)
        preview = "/api/recommendations/preview/"
        assert api.post(preview, {"text": "Likes:\n- maps"}, format="json").status_code == 200
        page = client.post("/profile/preview/", {"text": "Likes:\n- maps"}, HTTP_HX_REQUEST="true")
        assert page.status_code == 200
        # The shared count is spent: the API and the page both refuse now.
        assert is_error(api.post(preview, {"text": "Likes:\n- seas"}, format="json"), 429)
        refused = client.post("/profile/preview/", {"text": "Likes:\n- seas"})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Too many previews" in refused.content.decode()

    def test_uploads_are_limited_like_api_writes(self, rates, owner, client):
        rates(write=1)
        client.force_login(owner)
        assert (
            signed_in(owner)
            .put("/api/profile/", {"text": "Likes:\n- maps", "base_revision": 0}, format="json")
            .status_code
            == 200
        )
        upload = SimpleUploadedFile("p.txt", b"Likes:\n- seas\n")
        refused = client.post("/profile/import/", {"file": upload, "base_revision": 1})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Too many changes" in refused.content.decode()
        assert [s.text for s in profile_for(owner).statements.all()] == ["maps"]

    def test_another_person_is_not_held_back(self, rates, owner, other, client):
        rates(preview=1)
        client.force_login(owner)
        for expected in (200, 429):
            page = client.post("/profile/preview/", {"text": "Likes:\n- maps"})
            assert page.status_code == expected
        client.force_login(other)
        assert client.post("/profile/preview/", {"text": "Likes:\n- maps"}).status_code == 200
