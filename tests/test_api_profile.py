"""/api/profile/...: read, edit, history, undo, export and import one's own profile."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.models import DEFAULT_BALANCE, Profile, ProfileRevision
from profiles.services import profile_for
from profiles.signals import regeneration_requested
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_item, profile_write_text

pytestmark = pytest.mark.django_db

PROFILE = "/api/profile/"
TEXT = "Likes:\n- sea stories\n- maps (a little)\nAvoids:\n- not into zombies"


def statement(position: int) -> str:
    return f"{PROFILE}statements/{position}/"


@pytest.fixture
def api(owner):
    return signed_in(owner)


@pytest.fixture
def written(owner):
    """The owner's profile at revision 1, three lines."""
    profile_write_text(user=owner, text=TEXT, base_revision=0)
    return owner


class TestRead:
    def test_a_new_profile_is_empty_at_revision_zero(self, api):
        body = api.get(PROFILE).json()
        assert body["revision"] == 0 and body["statements"] == [] and body["text"] == ""
        assert (body["balance"], body["personalised"]) == (DEFAULT_BALANCE, True)

    def test_statements_as_a_list_and_as_text(self, api, written):
        body = api.get(PROFILE).json()
        assert body["revision"] == 1
        rows = [
            (s["position"], s["text"], s["polarity"], s["weight"], s["origin"], s["pinned"])
            for s in body["statements"]
        ]
        assert rows == [
            (0, "sea stories", "like", 1.0, "user", False),
            (1, "maps", "like", 0.4, "user", False),
            (2, "not into zombies", "avoid", 1.0, "user", False),
        ]
        assert body["statements"][2]["understood_as"] == "zombies"
        assert body["statements"][0]["evidence"] == []
        assert "Avoids:\n- not into zombies" in body["text"]


class TestReplaceText:
    def test_saves_a_new_revision(self, api, written):
        response = api.put(PROFILE, {"text": "Likes:\n- jazz", "base_revision": 1}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["revision"] == 2 and [s["text"] for s in body["statements"]] == ["jazz"]

    def test_a_stale_revision_is_a_409_and_changes_nothing(self, api, written):
        api.put(PROFILE, {"text": "Likes:\n- jazz", "base_revision": 1}, format="json")
        response = api.put(PROFILE, {"text": "Likes:\n- opera", "base_revision": 1}, format="json")
        assert is_error(response, 409)
        assert response.json()["extra"] == {"base_revision": 1, "current_revision": 2}
        assert [s.text for s in profile_for(written).statements.all()] == ["jazz"]

    def test_a_bad_line_is_a_400_naming_it(self, api, written):
        text = "Likes:\n- fine\n- " + "x" * 400
        response = api.put(PROFILE, {"text": text, "base_revision": 1}, format="json")
        assert is_error(response, 400)
        assert response.json()["extra"]["line"] == 3
        assert response.json()["message"].startswith("line 3:")
        assert profile_for(written).revision == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "text"),
            ({"text": "x"}, "base_revision"),
            ({"text": {"a": 1}, "base_revision": 1}, "text"),
            ({"text": ["x"], "base_revision": 1}, "text"),
            ({"text": "x", "base_revision": "one"}, "base_revision"),
            ({"text": "x", "base_revision": -1}, "base_revision"),
            ({"text": "x", "base_revision": 10**40}, "base_revision"),
            ({"text": "x", "base_revision": 1.5}, "base_revision"),
            ({"text": "x" * 100_000, "base_revision": 1}, "text"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, api, written, body, field):
        response = api.put(PROFILE, body, format="json")
        assert is_error(response, 400)
        assert field in response.json()["extra"]["fields"]


class TestSettings:
    def test_balance_and_personalisation(self, api, written):
        body = api.patch(PROFILE, {"balance": 0.8, "personalised": False}, format="json").json()
        assert (body["balance"], body["personalised"], body["revision"]) == (0.8, False, 1)
        assert api.patch(PROFILE, {}, format="json").json()["balance"] == 0.8

    @pytest.mark.parametrize(
        "body",
        [
            {"balance": 2},
            {"balance": -0.1},
            {"balance": "half"},
            {"balance": True},
            {"balance": 10**400},
            {"personalised": "perhaps"},
        ],
    )
    def test_bad_values_are_400s(self, api, written, body):
        response = api.patch(PROFILE, body, format="json")
        assert is_error(response, 400)
        assert set(response.json()["extra"]["fields"]) == set(body)
        assert Profile.objects.get(user=written).balance == DEFAULT_BALANCE


class TestOneStatement:
    def test_edit_words_strength_and_pin(self, api, written):
        response = api.patch(
            statement(1),
            {"text": "old sea charts", "weight": 0.6, "pinned": True, "base_revision": 1},
            format="json",
        )
        assert response.status_code == 200
        line = response.json()["statements"][1]
        assert (line["text"], line["weight"], line["pinned"]) == ("old sea charts", 0.6, True)
        assert response.json()["revision"] == 2

    def test_unpin_and_change_polarity(self, api, written):
        api.patch(statement(0), {"pinned": True, "base_revision": 1}, format="json")
        body = api.patch(
            statement(0), {"pinned": False, "polarity": "avoid", "base_revision": 2}, format="json"
        ).json()
        # Now an avoid, the line moves to the Avoids section: first there, after the likes.
        assert [(s["text"], s["polarity"], s["pinned"]) for s in body["statements"]] == [
            ("maps", "like", False),
            ("sea stories", "avoid", False),
            ("not into zombies", "avoid", False),
        ]

    def test_delete_takes_the_revision_in_the_query_string(self, api, written):
        response = api.delete(statement(0) + "?base_revision=1")
        assert response.status_code == 200
        assert [s["text"] for s in response.json()["statements"]] == ["maps", "not into zombies"]
        assert is_error(api.delete(statement(0)), 400)
        assert is_error(api.delete(statement(0) + "?base_revision=1"), 409)

    def test_a_stale_revision_is_a_409(self, api, written):
        api.delete(statement(0) + "?base_revision=1")
        response = api.patch(statement(0), {"weight": 0.2, "base_revision": 1}, format="json")
        assert is_error(response, 409)

    @pytest.mark.parametrize("position", [3, 99, 10**30])
    def test_a_missing_line_is_a_404(self, api, written, position):
        response = api.patch(statement(position), {"weight": 0.2, "base_revision": 1})
        assert is_error(response, 404)
        assert is_error(api.delete(statement(position) + "?base_revision=1"), 404)

    @pytest.mark.parametrize(
        "body",
        [
            {"weight": 2},
            {"weight": "strong"},
            {"polarity": "love"},
            {"pinned": "sometimes"},
            {"text": "two\nlines"},
            {"text": "two\u2028lines"},
            {"text": "x" * 301},
            {"text": "   "},
            {"text": {"words": "x"}},
        ],
    )
    def test_bad_changes_are_400s(self, api, written, body):
        response = api.patch(statement(0), {**body, "base_revision": 1}, format="json")
        assert is_error(response, 400), response.json()
        assert profile_for(written).revision == 1


class TestRegenerate:
    def test_asks_the_worker_and_answers_202(self, api, owner):
        asked = []

        def listener(*, user_id, **kwargs):
            asked.append(user_id)

        regeneration_requested.connect(listener)
        try:
            response = api.post(PROFILE + "regenerate/")
        finally:
            regeneration_requested.disconnect(listener)
        assert response.status_code == 202 and response.json()["message"]
        assert asked == [owner.pk]


class TestHistory:
    @pytest.fixture
    def three(self, api, written):
        api.put(PROFILE, {"text": TEXT + "\n- vampires", "base_revision": 1}, format="json")
        api.patch(statement(0), {"weight": 0.2, "base_revision": 2}, format="json")
        return written

    def test_revisions_newest_first_and_paginated(self, api, three):
        body = api.get(PROFILE + "revisions/").json()
        assert [r["number"] for r in body["results"]] == [3, 2, 1]
        assert body["results"][1]["statement_count"] == 4
        assert [r["cause"] for r in body["results"]] == ["edit"] * 3
        assert len(api.get(PROFILE + "revisions/", {"page_size": 1}).json()["results"]) == 1

    def test_one_revision_with_its_diff_against_the_one_before(self, api, three):
        body = api.get(PROFILE + "revisions/2/").json()
        assert body["previous"] == 1
        assert [s["text"] for s in body["diff"]["added"]] == ["vampires"]
        assert body["diff"]["removed"] == [] and body["diff"]["changed"] == []
        changed = api.get(PROFILE + "revisions/3/").json()["diff"]["changed"]
        assert [(c["before"]["weight"], c["after"]["weight"]) for c in changed] == [(1.0, 0.2)]
        first = api.get(PROFILE + "revisions/1/").json()
        assert first["previous"] is None and len(first["diff"]["added"]) == 3

    @pytest.mark.parametrize("number", [0, 4, 10**30])
    def test_a_missing_revision_is_a_404(self, api, three, number):
        assert is_error(api.get(f"{PROFILE}revisions/{number}/"), 404)

    def test_undo_brings_back_an_old_revision_as_a_new_one(self, api, three):
        response = api.post(PROFILE + "undo/", {"number": 1, "base_revision": 3}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["revision"] == 4 and len(body["statements"]) == 3
        assert ProfileRevision.objects.get(number=4).cause == "undo"

    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ({"number": 9, "base_revision": 3}, 400),
            ({"number": 1, "base_revision": 2}, 409),
            ({"number": "one", "base_revision": 3}, 400),
            ({"number": -1, "base_revision": 3}, 400),
            ({"number": 10**30, "base_revision": 3}, 400),
            ({"base_revision": 3}, 400),
            ({}, 400),
        ],
    )
    def test_bad_undo_requests(self, api, three, body, status):
        assert is_error(api.post(PROFILE + "undo/", body, format="json"), status)
        assert profile_for(three).revision == 3


class TestExportImport:
    def test_export_then_import_round_trips(self, api, owner, written):
        item = make_item(external_id="bk-1")
        exported = api.get(PROFILE + "export/").json()
        assert exported["format"] == "recsite-profile" and exported["revision"] == 1
        exported["statements"][0]["evidence"] = ["bk-1", "gone"]
        exported["statements"][1]["pinned"] = True
        response = api.post(
            PROFILE + "import/", {"profile": exported, "base_revision": 1}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["revision"] == 2
        assert [s["text"] for s in body["statements"]] == [
            "sea stories",
            "maps",
            "not into zombies",
        ]
        assert body["statements"][0]["evidence"] == [item.pk]
        assert body["statements"][1]["pinned"] is True
        assert ProfileRevision.objects.get(number=2).cause == "import"

    def test_import_text(self, api, written):
        response = api.post(
            PROFILE + "import/", {"text": "Avoids:\n- horror", "base_revision": 1}, format="json"
        )
        assert [s["polarity"] for s in response.json()["statements"]] == ["avoid"]

    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ({"base_revision": 1}, 400),
            ({"text": "x", "profile": {"statements": []}, "base_revision": 1}, 400),
            ({"profile": [], "base_revision": 1}, 400),
            ({"profile": "Likes: x", "base_revision": 1}, 400),
            ({"profile": {}, "base_revision": 1}, 400),
            ({"profile": {"statements": "x"}, "base_revision": 1}, 400),
            ({"profile": {"statements": [1]}, "base_revision": 1}, 400),
            ({"profile": {"statements": [{"text": "a\nb"}]}, "base_revision": 1}, 400),
            ({"profile": {"statements": [{"text": "a\rb"}]}, "base_revision": 1}, 400),
            ({"profile": {"statements": [{"text": "a", "weight": 9}]}, "base_revision": 1}, 400),
            (
                {"profile": {"statements": [{"text": "a", "evidence": [{}]}]}, "base_revision": 1},
                400,
            ),
            ({"profile": {"statements": [{"text": "a"}] * 60}, "base_revision": 1}, 400),
            ({"text": "Likes:\n- " + "x" * 301, "base_revision": 1}, 400),
            ({"text": "Likes:\n- x", "base_revision": 0}, 409),
        ],
    )
    def test_bad_imports_change_nothing(self, api, written, body, status):
        response = api.post(PROFILE + "import/", body, format="json")
        assert is_error(response, status), response.json()
        assert profile_for(written).revision == 1

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        statements=st.lists(
            st.dictionaries(
                st.sampled_from(["text", "polarity", "weight", "pinned", "evidence", "origin"]),
                st.one_of(
                    st.none(),
                    st.booleans(),
                    st.integers(),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=40),
                    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
                ),
            ),
            max_size=4,
        )
    )
    def test_no_export_a_client_can_send_is_a_server_error(self, api, written, statements):
        # Hypothesis runs every example inside this one test's transaction.
        revision = profile_for(written).revision
        response = api.post(
            PROFILE + "import/",
            {"profile": {"statements": statements}, "base_revision": revision},
            format="json",
        )
        assert response.status_code in (200, 400), response.content
        if response.status_code == 400:
            assert is_error(response, 400)


class TestOnlyYourOwn:
    def test_another_person_sees_and_changes_only_their_own(self, owner, other, written):
        before = api_state(owner)
        stranger = signed_in(other)
        assert stranger.get(PROFILE).json()["statements"] == []
        assert stranger.get(PROFILE + "revisions/").json()["count"] == 0
        assert is_error(stranger.get(PROFILE + "revisions/1/"), 404)
        assert stranger.get(PROFILE + "export/").json()["statements"] == []
        assert is_error(
            stranger.patch(statement(0), {"weight": 0.1, "base_revision": 1}, format="json"), 404
        )
        assert is_error(stranger.delete(statement(0) + "?base_revision=1"), 404)
        assert is_error(
            stranger.post(PROFILE + "undo/", {"number": 1, "base_revision": 0}, format="json"),
            400,
        )
        stranger.put(PROFILE, {"text": "Likes:\n- knitting", "base_revision": 0}, format="json")
        stranger.patch(PROFILE, {"balance": 0.1}, format="json")
        assert api_state(owner) == before

    def test_signing_in_is_required_everywhere(self, written):
        client = anonymous()
        for method, url in [
            ("get", PROFILE),
            ("put", PROFILE),
            ("patch", PROFILE),
            ("patch", statement(0)),
            ("delete", statement(0)),
            ("post", PROFILE + "regenerate/"),
            ("get", PROFILE + "revisions/"),
            ("get", PROFILE + "revisions/1/"),
            ("post", PROFILE + "undo/"),
            ("get", PROFILE + "export/"),
            ("post", PROFILE + "import/"),
        ]:
            assert is_error(getattr(client, method)(url), 401), (method, url)


def api_state(user) -> str:
    profile = Profile.objects.get(user=user)
    revisions = list(
        ProfileRevision.objects.filter(profile=profile).values_list("number", "statements")
    )
    return json.dumps([profile.revision, profile.balance, revisions], sort_keys=True)
