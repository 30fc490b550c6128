"""Password reset by email: off unless the site can send email, and working when it can."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_user
from tests.test_settings import PRODUCTION, load_settings

RESET_PAGES = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]
NEW_PASSWORD = "a brand new pass phrase"


@pytest.fixture
def reader(db):
    return make_user("reader", email="reader@example.com")


class TestWhetherItIsOn:
    def test_off_without_email_settings(self):
        result = load_settings("print(s.PASSWORD_RESET_ENABLED, s.EMAIL_BACKEND)")
        assert result.stdout.split() == ["False", "django.core.mail.backends.console.EmailBackend"]

    def test_on_with_a_mail_server(self):
        result = load_settings(
            "print(s.PASSWORD_RESET_ENABLED, s.EMAIL_BACKEND, s.EMAIL_USE_TLS)",
            EMAIL_HOST="smtp.example.com",
        )
        assert result.stdout.split() == [
            "True",
            "django.core.mail.backends.smtp.EmailBackend",
            "True",
        ]

    def test_a_backend_that_delivers_nothing_leaves_it_off(self):
        result = load_settings(
            "print(s.PASSWORD_RESET_ENABLED)",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        assert result.stdout.split() == ["False"]

    def test_production_with_email_needs_a_sender_address(self):
        result = load_settings(**PRODUCTION, EMAIL_HOST="smtp.example.com")
        assert result.returncode != 0
        assert "DEFAULT_FROM_EMAIL must be set" in result.stderr
        result = load_settings(
            "print(s.PASSWORD_RESET_ENABLED)",
            **PRODUCTION,
            EMAIL_HOST="smtp.example.com",
            DEFAULT_FROM_EMAIL="recs@example.com",
        )
        assert result.stdout.split() == ["True"], result.stderr


@pytest.mark.django_db
class TestWithoutEmail:
    @pytest.fixture(autouse=True)
    def _no_email(self, settings):
        settings.PASSWORD_RESET_ENABLED = False

    def test_the_login_page_offers_no_reset(self, client):
        page = client.get(reverse("login")).content.decode()
        assert "Forgot your password" not in page
        assert "/accounts/password_reset/" not in page

    @pytest.mark.parametrize("path", RESET_PAGES)
    def test_every_reset_page_is_not_found(self, client, reader, path):
        assert client.get(path).status_code == 404
        assert client.post(path, {"email": reader.email}).status_code == 404
        assert mail.outbox == []


@pytest.mark.django_db
class TestWithEmail:
    @pytest.fixture(autouse=True)
    def _email(self, settings):
        # pytest-django keeps mail in memory (mail.outbox); the site treats
        # it as configured here, as it would a real mail server.
        settings.PASSWORD_RESET_ENABLED = True

    def test_the_login_page_links_to_it(self, client):
        page = client.get(reverse("login")).content.decode()
        assert 'href="/accounts/password_reset/"' in page and "Forgot your password?" in page

    def test_a_mailed_link_sets_a_new_password(self, client, reader):
        response = client.post("/accounts/password_reset/", {"email": "reader@example.com"})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password_reset/done/"
        assert "Check your email" in client.get(response["Location"]).content.decode()

        assert [message.to for message in mail.outbox] == [["reader@example.com"]]
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
        # The link's token is swapped for a session key, then the form shows.
        form_page = client.get(link, follow=True)
        assert "Choose a new password" in form_page.content.decode()
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"

        reader.refresh_from_db()
        assert reader.check_password(NEW_PASSWORD)
        # A link works once.
        again = client.get(link, follow=True).content.decode()
        assert "This link does not work" in again

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, client, reader):
        response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password_reset/done/"
        assert mail.outbox == []
