"""/api/account/...: who you are, your data, deleting the account, and API keys."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from profiles.models import ApiToken, Interaction
from profiles.services import interaction_record, token_create
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_item, profile_write_text

pytestmark = pytest.mark.django_db

ACCOUNT = "/api/account/"
TOKENS = "/api/account/tokens/"
PASSWORD = "correct horse battery"  # tests/factories.make_user's


@pytest.fixture
def api(owner):
    return signed_in(owner)


class TestAccount:
    def test_says_who_is_signed_in(self, api):
        body = api.get(ACCOUNT).json()
        assert (body["username"], body["is_staff"]) == ("owner", False)

    def test_export_holds_everything_that_is_yours(self, api, owner, other):
        interaction_record(user=owner, item=make_item(title="Dune"), kind="like")
        interaction_record(user=other, item=make_item(title="Emma"), kind="like")
        profile_write_text(user=owner, text="Likes:\n- desert planets", base_revision=0)
        body = api.get(ACCOUNT + "export/").json()
        assert body["account"]["username"] == "owner"
        assert [i["title"] for i in body["interactions"]] == ["Dune"]
        assert body["profile"]["statements"][0]["text"] == "desert planets"
        assert [t["name"] for t in body["api_tokens"]] == ["tests"]
        assert "key_hash" not in str(body)


class TestDeleteAccount:
    def test_needs_the_password(self, api, owner):
        for body in ({}, {"password": "guess"}, {"password": ""}, {"password": ["x"]}):
            response = api.delete(ACCOUNT, body, format="json")
            assert is_error(response, 400), body
            assert "password" in response.json()["extra"]["fields"]
        assert get_user_model().objects.filter(pk=owner.pk).exists()

    def test_deletes_the_account_and_its_data(self, api, owner, other):
        interaction_record(user=owner, item=make_item(), kind="like")
        interaction_record(user=other, item=make_item(), kind="like")
        assert api.delete(ACCOUNT, {"password": PASSWORD}, format="json").status_code == 204
        assert not get_user_model().objects.filter(pk=owner.pk).exists()
        assert list(Interaction.objects.values_list("user__username", flat=True)) == ["other"]
        assert is_error(api.get(ACCOUNT), 401)  # the key went with the account

    def test_only_ever_deletes_the_account_that_asks(self, owner, other):
        # other's own password deletes other, never owner
        assert (
            signed_in(other).delete(ACCOUNT, {"password": PASSWORD}, format="json").status_code
            == 204
        )
        assert get_user_model().objects.filter(pk=owner.pk).exists()


class TestTokens:
    def test_create_shows_the_key_once_and_it_works(self, api, owner):
        response = api.post(TOKENS, {"name": "phone"}, format="json")
        assert response.status_code == 201
        created = response.json()
        assert created["key"].startswith(created["prefix"]) and created["name"] == "phone"
        listed = api.get(TOKENS).json()
        assert [t["name"] for t in listed["results"]] == ["phone", "tests"]
        assert all("key" not in t and "key_hash" not in t for t in listed["results"])
        assert created["key"] not in str(listed)
        phone = APIClient()
        phone.credentials(HTTP_AUTHORIZATION=f"Token {created['key']}")
        assert phone.get(ACCOUNT).json()["username"] == "owner"
        assert phone.get(TOKENS).json()["results"][0]["last_used_at"] is not None

    def test_revoked_keys_stop_working(self, api, owner):
        token, key = token_create(user=owner, name="old")
        assert api.delete(f"{TOKENS}{token.pk}/").status_code == 204
        old = APIClient()
        old.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert is_error(old.get(ACCOUNT), 401)
        assert is_error(api.delete(f"{TOKENS}{token.pk}/"), 404)

    @pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}])
    def test_a_key_needs_a_name(self, api, body):
        response = api.post(TOKENS, body, format="json")
        assert is_error(response, 400)
        assert "name" in response.json()["extra"]["fields"]

    def test_the_number_of_keys_is_limited(self, api, owner):
        for number in range(19):  # the "tests" key is the twentieth
            token_create(user=owner, name=f"key {number}")
        response = api.post(TOKENS, {"name": "one too many"}, format="json")
        assert is_error(response, 400) and "revoke one first" in response.json()["message"]

    @pytest.mark.parametrize("pk", ["abc", "99999999999999999999999"])
    def test_ids_that_cannot_exist_are_404s(self, api, pk):
        assert is_error(api.delete(f"{TOKENS}{pk}/"), 404)

    def test_put_and_get_of_one_key_are_not_offered(self, api, owner):
        token, _ = token_create(user=owner, name="x")
        assert api.get(f"{TOKENS}{token.pk}/").status_code == 405


class TestOnlyYourOwn:
    def test_another_persons_keys_are_invisible_and_cannot_be_revoked(self, owner, other):
        token, key = token_create(user=owner, name="mine")
        stranger = signed_in(other)
        assert [t["name"] for t in stranger.get(TOKENS).json()["results"]] == ["tests"]
        theirs = stranger.delete(f"{TOKENS}{token.pk}/")
        nothing = stranger.delete(f"{TOKENS}{token.pk + 1000}/")
        assert is_error(theirs, 404) and theirs.json() == nothing.json()
        assert ApiToken.objects.filter(pk=token.pk).exists()
        export = stranger.get(ACCOUNT + "export/").json()
        assert export["account"]["username"] == "other" and "mine" not in str(export)

    def test_signing_in_is_required(self):
        client = anonymous()
        for method, url in [
            ("get", ACCOUNT),
            ("delete", ACCOUNT),
            ("get", ACCOUNT + "export/"),
            ("get", TOKENS),
            ("post", TOKENS),
            ("delete", f"{TOKENS}1/"),
        ]:
            assert is_error(getattr(client, method)(url), 401), (method, url)
