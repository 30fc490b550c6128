"""Account pages: sign up, log in and out, password, API keys, my data, deleting the account."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from profiles.models import ApiToken
from profiles.services import token_create, token_user
from tests.factories import make_interaction, make_item

ACCOUNT = reverse("profiles:account")
SIGNUP = reverse("profiles:signup")
PASSWORD = "correct horse battery"  # tests.factories.make_user's


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.django_db
class TestSignup:
    def test_creates_the_account_signs_in_and_starts_onboarding(self, client):
        response = client.post(
            SIGNUP,
            {
                "username": "newreader",
                "password1": "a long pass phrase",
                "password2": "a long pass phrase",
            },
        )
        assert response.status_code == 302 and response["Location"] == reverse("profiles:welcome")
        assert client.get(ACCOUNT).status_code == 200
        assert get_user_model().objects.filter(username="newreader").exists()

    @pytest.mark.parametrize(
        ("password", "problem"),
        [
            ("short1", "too short"),
            ("password123", "too common"),
            ("83749201853", "entirely numeric"),
        ],
    )
    def test_weak_passwords_are_refused_with_the_reason(self, client, password, problem):
        response = client.post(
            SIGNUP, {"username": "newreader", "password1": password, "password2": password}
        )
        assert response.status_code == 400
        assert problem in response.content.decode()
        assert not get_user_model().objects.filter(username="newreader").exists()

    def test_a_taken_username_is_explained(self, client, owner):
        response = client.post(
            SIGNUP,
            {
                "username": "owner",
                "password1": "a long pass phrase",
                "password2": "a long pass phrase",
            },
        )
        assert response.status_code == 400
        assert "A user with that username already exists." in response.content.decode()

    def test_the_form_has_labels(self, client):
        page = client.get(SIGNUP).content.decode()
        assert 'for="id_username"' in page and 'for="id_password1"' in page


@pytest.mark.django_db
class TestLogInAndOut:
    def test_log_in_log_out(self, client, owner):
        response = client.post(reverse("login"), {"username": "owner", "password": PASSWORD})
        assert response.status_code == 302
        assert 'data-testid="logout"' in client.get(ACCOUNT).content.decode()
        client.post(reverse("logout"))
        assert client.get(ACCOUNT).status_code == 302

    def test_a_wrong_password_is_explained(self, client, owner):
        response = client.post(reverse("login"), {"username": "owner", "password": "nope"})
        assert 'data-testid="login-error"' in response.content.decode()

    def test_password_change(self, signed_in, owner):
        page = signed_in.get(reverse("password_change")).content.decode()
        assert 'for="id_old_password"' in page
        response = signed_in.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another long phrase",
                "new_password2": "another long phrase",
            },
            follow=True,
        )
        assert 'data-testid="password-changed"' in response.content.decode()
        owner.refresh_from_db()
        assert owner.check_password("another long phrase")


@pytest.mark.django_db
class TestApiKeys:
    def test_a_new_key_is_shown_once_and_works(self, signed_in, owner):
        response = signed_in.post(
            reverse("profiles:token_new"), {"name": "phone <app>"}, follow=True
        )
        assert response.redirect_chain == [(ACCOUNT, 302)]
        assert response["Cache-Control"] == "no-store"
        page = response.content.decode()
        key = page.split('data-testid="new-key-value"')[0].rsplit('value="', 1)[1].split('"')[0]
        assert token_user(key) == owner
        assert "phone &lt;app&gt;" in page
        again = signed_in.get(ACCOUNT).content.decode()
        assert key not in again and 'data-testid="token"' in again

    def test_a_reload_after_making_a_key_makes_no_other(self, signed_in, owner):
        made = signed_in.post(reverse("profiles:token_new"), {"name": "tablet"})
        assert made.status_code == 302 and made["Location"] == ACCOUNT
        # What a browser's reload repeats after a redirect is the GET.
        shown = signed_in.get(ACCOUNT).content.decode()
        reloaded = signed_in.get(ACCOUNT).content.decode()
        assert 'data-testid="new-key-value"' in shown
        assert 'data-testid="new-key-value"' not in reloaded
        assert ApiToken.objects.filter(user=owner).count() == 1

    def test_a_new_key_shows_only_to_its_maker(self, signed_in, owner, other):
        signed_in.post(reverse("profiles:token_new"), {"name": "tablet"})
        cookie = signed_in.cookies["new_api_key"]
        thief = Client()
        thief.force_login(other)
        thief.cookies["new_api_key"] = cookie.value
        assert 'data-testid="new-key-value"' not in thief.get(ACCOUNT).content.decode()

    def test_a_key_needs_a_name(self, signed_in):
        response = signed_in.post(reverse("profiles:token_new"), {"name": "  "})
        assert response.status_code == 400
        assert 'data-testid="token-error"' in response.content.decode()
        assert not ApiToken.objects.exists()

    def test_revoke(self, signed_in, owner):
        token, key = token_create(user=owner, name="old app")
        response = signed_in.post(reverse("profiles:token_revoke", args=[token.pk]), follow=True)
        assert "Key revoked" in response.content.decode()
        assert token_user(key) is None

    def test_another_persons_keys_are_neither_listed_nor_revocable(self, signed_in, other):
        token, key = token_create(user=other, name="their app")
        assert "their app" not in signed_in.get(ACCOUNT).content.decode()
        response = signed_in.post(reverse("profiles:token_revoke", args=[token.pk]), follow=True)
        assert "You have no such key." in response.content.decode()
        assert token_user(key) == other


@pytest.mark.django_db
class TestMyData:
    def test_download_holds_my_data_only(self, signed_in, owner, other):
        mine, theirs = make_item("Mine"), make_item("Theirs")
        make_interaction(owner, mine, "rating", 4.0)
        make_interaction(other, theirs, "rating", 2.0)
        response = signed_in.get(reverse("profiles:account_export"))
        assert response["Content-Disposition"] == 'attachment; filename="my-recsite-data.json"'
        data = json.loads(response.content)
        assert data["account"]["username"] == "owner"
        assert [row["title"] for row in data["interactions"]] == ["Mine"]

    def test_delete_needs_the_password(self, signed_in, owner):
        response = signed_in.post(reverse("profiles:account_delete"), {"password": "nope"})
        assert response.status_code == 400
        assert "That is not your password." in response.content.decode()
        assert get_user_model().objects.filter(pk=owner.pk).exists()

    def test_delete_removes_the_account_and_signs_out(self, signed_in, owner):
        response = signed_in.post(
            reverse("profiles:account_delete"), {"password": PASSWORD}, follow=True
        )
        assert "Your account and everything in it are deleted." in response.content.decode()
        assert not get_user_model().objects.filter(pk=owner.pk).exists()
        assert signed_in.get(ACCOUNT).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        ACCOUNT,
        reverse("profiles:account_export"),
        reverse("profiles:account_delete"),
        reverse("password_change"),
        reverse("profiles:welcome"),
        reverse("engine:for_you"),
        reverse("profiles:profile"),
    ],
)
def test_personal_pages_send_anonymous_visitors_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_navigation_fits_who_is_looking(client, owner):
    page = client.get(reverse("engine:item_list")).content.decode()
    assert 'data-testid="nav-signup"' in page and 'data-testid="nav-for-you"' not in page
    client.force_login(owner)
    page = client.get(reverse("engine:item_list")).content.decode()
    assert 'data-testid="nav-for-you"' in page and 'data-testid="nav-signup"' not in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
