"""/api/interactions/: the signed-in person's ratings, likes and the rest."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import Interaction
from profiles.signals import interactions_changed
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_interaction, make_item

pytestmark = pytest.mark.django_db

URL = "/api/interactions/"


def detail(interaction_id: int) -> str:
    return f"{URL}{interaction_id}/"


@pytest.fixture
def api(owner):
    return signed_in(owner)


@pytest.fixture
def item():
    return make_item("Dune")


class TestCreate:
    def test_a_rating_is_recorded_and_returned(self, api, owner, item):
        response = api.post(URL, {"item": item.pk, "kind": "rating", "value": 4.5}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["item"], body["item_title"], body["kind"], body["value"]) == (
            item.pk,
            "Dune",
            "rating",
            4.5,
        )
        assert Interaction.objects.get(pk=body["id"]).user == owner

    def test_recording_announces_the_change(self, api, owner, item):
        heard = []

        def listener(**kwargs):
            heard.append((kwargs["user_ids"], kwargs["item_ids"]))

        interactions_changed.connect(listener)
        try:
            api.post(URL, {"item": item.pk, "kind": "like"}, format="json")
        finally:
            interactions_changed.disconnect(listener)
        assert heard == [([owner.pk], [item.pk])]

    def test_a_like_replaces_a_dislike(self, api, owner, item):
        api.post(URL, {"item": item.pk, "kind": "dislike"}, format="json")
        api.post(URL, {"item": item.pk, "kind": "like"}, format="json")
        assert list(Interaction.objects.filter(user=owner).values_list("kind", flat=True)) == [
            "like"
        ]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "item"),
            ({"kind": "like"}, "item"),
            ({"item": "dune", "kind": "like"}, "item"),
            ({"item": 10**30, "kind": "like"}, "item"),
            ({"item": -1, "kind": "like"}, "item"),
            ({"item": [1], "kind": "like"}, "item"),
            ({"item": None, "kind": "like"}, "item"),
            ({"item": "ITEM", "kind": "adore"}, "kind"),
            ({"item": "ITEM", "kind": ["like"]}, "kind"),
            ({"item": "ITEM", "kind": "rating"}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": 3.3}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": 50}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": 10**400}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": "NaN"}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": "four"}, "value"),
            ({"item": "ITEM", "kind": "rating", "value": True}, "value"),
            ({"item": "ITEM", "kind": "like", "value": 4}, "value"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, api, item, body, field):
        if body.get("item") == "ITEM":
            body = {**body, "item": item.pk}
        response = api.post(URL, body, format="json")
        assert is_error(response, 400), response.content
        assert field in response.json()["extra"]["fields"]
        assert not Interaction.objects.exists()

    def test_a_hidden_item_is_as_good_as_missing(self, api):
        hidden = make_item(is_active=False)
        response = api.post(URL, {"item": hidden.pk, "kind": "like"}, format="json")
        assert is_error(response, 400)
        assert "item" in response.json()["extra"]["fields"]

    @pytest.mark.parametrize(
        ("content", "content_type", "status"),
        [
            ("{not json", "application/json", 400),
            ("[1, 2]", "application/json", 400),
            ('"like"', "application/json", 400),
            ("", "application/json", 400),
            ("[" * 50_000, "application/json", 400),
            ("item=1&kind=like", "text/plain", 415),
        ],
    )
    def test_bodies_that_are_not_an_object_are_refused(
        self, api, item, content, content_type, status
    ):
        response = api.generic("POST", URL, content, content_type=content_type)
        assert is_error(response, status)


class TestList:
    def test_newest_first_with_filters(self, api, owner, other, item):
        older = make_interaction(owner, item, "rating", 4.0)
        second = make_item("Emma")
        newer = make_interaction(owner, second, "like")
        Interaction.objects.filter(pk=newer.pk).update(timestamp=older.timestamp.replace(year=2026))
        make_interaction(other, item, "like")

        body = api.get(URL).json()
        assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
        assert api.get(URL, {"kind": "like"}).json()["count"] == 1
        assert [r["id"] for r in api.get(URL, {"item": item.pk}).json()["results"]] == [older.pk]

    def test_pages_of_twenty_or_of_the_size_asked_up_to_a_hundred(self, api, owner):
        for _ in range(25):
            make_interaction(owner, make_item(), "view")
        first = api.get(URL).json()
        assert (first["count"], len(first["results"])) == (25, 20) and first["next"]
        assert len(api.get(URL, {"page_size": 5}).json()["results"]) == 5
        assert len(api.get(URL, {"page_size": 10**6}).json()["results"]) == 25
        assert is_error(api.get(URL, {"page": 99}), 404)
        assert is_error(api.get(URL, {"page": "last-but-one"}), 404)

    @pytest.mark.parametrize(
        "params", [{"kind": "adore"}, {"item": "x"}, {"item": 10**30}, {"item": 0}]
    )
    def test_bad_filters_are_400s_naming_the_filter(self, api, params):
        response = api.get(URL, params)
        assert is_error(response, 400)
        assert set(response.json()["extra"]["fields"]) == set(params)

    def test_the_number_of_queries_does_not_grow_with_the_page(self, owner, client):
        client.force_login(owner)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(URL).status_code == 200
            return len(captured)

        make_interaction(owner, make_item(), "like")
        few = queries()
        for _ in range(19):
            make_interaction(owner, make_item(), "view")
        assert queries() == few

    def test_list_query_count_is_pinned(self, owner, client, django_assert_max_num_queries):
        client.force_login(owner)
        for _ in range(20):
            make_interaction(owner, make_item(), "like")
        # session, user, count, page
        with django_assert_max_num_queries(4):
            assert len(client.get(URL).json()["results"]) == 20


class TestUpdateAndDelete:
    def test_a_rating_changes_its_stars(self, api, owner, item):
        rating = make_interaction(owner, item, "rating", 2.0)
        response = api.patch(detail(rating.pk), {"value": 4.5}, format="json")
        assert response.status_code == 200 and response.json()["value"] == 4.5
        rating.refresh_from_db()
        assert rating.value == 4.5

    @pytest.mark.parametrize("body", [{}, {"value": "x"}, {"value": 7}, {"value": 10**400}])
    def test_bad_stars_are_400s(self, api, owner, item, body):
        rating = make_interaction(owner, item, "rating", 2.0)
        response = api.patch(detail(rating.pk), body, format="json")
        assert is_error(response, 400)
        assert "value" in response.json()["extra"]["fields"]
        rating.refresh_from_db()
        assert rating.value == 2.0

    def test_a_like_has_no_stars(self, api, owner, item):
        like = make_interaction(owner, item, "like")
        assert is_error(api.patch(detail(like.pk), {"value": 3}, format="json"), 400)

    def test_put_is_not_offered(self, api, owner, item):
        rating = make_interaction(owner, item, "rating", 2.0)
        assert is_error(api.put(detail(rating.pk), {"value": 3}, format="json"), 405)

    def test_delete_withdraws_it(self, api, owner, item):
        like = make_interaction(owner, item, "like")
        assert api.delete(detail(like.pk)).status_code == 204
        assert not Interaction.objects.exists()
        assert is_error(api.delete(detail(like.pk)), 404)

    @pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1", "1.5"])
    def test_ids_that_cannot_exist_are_404s(self, api, pk):
        for method in ("get", "patch", "delete"):
            response = getattr(api, method)(f"{URL}{pk}/", {"value": 3}, format="json")
            assert response.status_code == 404, (method, pk)


class TestOnlyYourOwn:
    def test_someone_elses_interaction_looks_like_none_at_all(self, owner, other, item):
        mine = make_interaction(owner, item, "rating", 3.0)
        missing = mine.pk + 1000
        stranger = signed_in(other)
        for method, body in (("get", None), ("patch", {"value": 5}), ("delete", None)):
            theirs = getattr(stranger, method)(detail(mine.pk), body, format="json")
            nothing = getattr(stranger, method)(detail(missing), body, format="json")
            assert is_error(theirs, 404), method
            assert theirs.json() == nothing.json(), method
        assert stranger.get(URL).json()["count"] == 0
        assert stranger.get(URL, {"item": item.pk}).json()["count"] == 0
        mine.refresh_from_db()
        assert mine.value == 3.0

    def test_signing_in_is_required(self, item):
        for method in ("get", "post"):
            assert is_error(getattr(anonymous(), method)(URL), 401)
        assert is_error(anonymous().delete(detail(1)), 401)
