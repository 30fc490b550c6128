"""Passwords: failed log-ins are limited per username and per address; weak ones are refused."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery"  # tests.factories.make_user's


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    return settings


def log_in(username: str, password: str, *, address: str = "127.0.0.1", url: str = LOGIN):
    client = Client(REMOTE_ADDR=address)
    response = client.post(url, {"username": username, "password": password})
    return client, response


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


class TestPerUsername:
    def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_message(
        self, owner, limits
    ):
        for _ in range(3):
            _, response = log_in("owner", "wrong guess")
            assert response.status_code == 200
            assert "correct username and password" in response.content.decode()
        client, response = log_in("owner", PASSWORD)
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed log-in attempts for this username. Try again in 10 minutes." in (
            page
        )
        assert 'data-testid="login-error"' in page
        assert 0 < int(response["Retry-After"]) <= 600
        assert not is_signed_in(client)

    def test_guesses_from_many_addresses_still_count_against_the_username(self, owner, limits):
        for number in range(3):
            log_in("owner", "wrong guess", address=f"10.0.0.{number}")
        client, response = log_in("owner", PASSWORD, address="10.0.0.99")
        assert response.status_code == 429 and not is_signed_in(client)

    def test_changing_the_case_of_the_username_does_not_buy_more_guesses(self, owner, limits):
        for username in ("owner", "OWNER", "Owner"):
            log_in(username, "wrong guess")
        client, response = log_in("owner", PASSWORD)
        assert response.status_code == 429 and not is_signed_in(client)

    def test_other_accounts_are_not_locked_by_guesses_at_one(self, owner, other, limits):
        for _ in range(3):
            log_in("owner", "wrong guess", address="10.0.0.1")
        client, response = log_in("other", PASSWORD, address="10.0.0.1")
        assert response.status_code == 302 and is_signed_in(client)

    def test_a_right_password_before_the_limit_starts_the_count_again(self, owner, limits):
        for _ in range(2):
            log_in("owner", "wrong guess")
        assert is_signed_in(log_in("owner", PASSWORD)[0])
        for _ in range(2):
            log_in("owner", "wrong guess")
        client, response = log_in("owner", PASSWORD)
        assert response.status_code == 302 and is_signed_in(client)

    def test_the_lock_ends_with_the_window(self, owner, limits):
        limits.LOGIN_FAILURE_WINDOW_SECONDS = 1
        for _ in range(3):
            log_in("owner", "wrong guess")
        assert log_in("owner", PASSWORD)[1].status_code == 429
        time.sleep(1.1)
        client, response = log_in("owner", PASSWORD)
        assert response.status_code == 302 and is_signed_in(client)


class TestPerAddress:
    def test_one_address_trying_many_usernames_is_stopped(self, owner, limits):
        for number in range(5):
            log_in(f"someone{number}", "wrong guess", address="10.0.0.7")
        client, response = log_in("owner", PASSWORD, address="10.0.0.7")
        assert response.status_code == 429
        assert "from your network address" in response.content.decode()
        assert not is_signed_in(client)
        # Another address is not affected.
        assert is_signed_in(log_in("owner", PASSWORD, address="10.0.0.8")[0])

    def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(self, owner, limits):
        limits.REST_FRAMEWORK = {**limits.REST_FRAMEWORK, "NUM_PROXIES": 1}
        for number in range(5):
            client = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
            client.post(LOGIN, {"username": f"someone{number}", "password": "x"})
        blocked = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert blocked.post(LOGIN, {"username": "owner", "password": PASSWORD}).status_code == 429
        # The proxy's own address is shared by everyone behind it: not blocked.
        fine = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
        assert fine.post(LOGIN, {"username": "owner", "password": PASSWORD}).status_code == 302

    def test_without_trusted_proxies_a_forged_header_changes_nothing(self, owner, limits):
        for number in range(5):
            client = Client(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
            client.post(LOGIN, {"username": f"someone{number}", "password": "x"})
        client = Client(REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.200")
        assert client.post(LOGIN, {"username": "owner", "password": PASSWORD}).status_code == 429


class TestAdminLogin:
    def test_the_admin_log_in_counts_failures_too(self, staff, limits):
        for _ in range(3):
            log_in("staff", "wrong guess", url=ADMIN_LOGIN)
        client, response = log_in("staff", PASSWORD, url=ADMIN_LOGIN)
        assert "Too many failed log-in attempts for this username" in response.content.decode()
        assert not is_signed_in(client)

    def test_guesses_on_the_website_lock_the_admin_as_well(self, staff, limits):
        for _ in range(3):
            log_in("staff", "wrong guess")
        client, _ = log_in("staff", PASSWORD, url=ADMIN_LOGIN)
        assert not is_signed_in(client)


class TestLimitSettings:
    @pytest.mark.parametrize(
        "name",
        [
            "LOGIN_FAILURES_PER_USERNAME",
            "LOGIN_FAILURES_PER_ADDRESS",
            "LOGIN_FAILURE_WINDOW_SECONDS",
        ],
    )
    def test_a_limit_below_one_stops_the_process_naming_it(self, name):
        result = load_settings(**{name: "0"})
        assert result.returncode != 0
        assert name in result.stderr and "must be at least 1" in result.stderr


class TestPasswordRules:
    @pytest.mark.parametrize(
        ("password", "problem"),
        [
            ("short1", "too short"),
            ("password123", "too common"),
            ("83749201853", "entirely numeric"),
            ("owner1234", "too similar to the username"),
        ],
    )
    def test_a_weak_new_password_is_refused_with_the_reason(self, owner, password, problem):
        client = Client()
        client.force_login(owner)
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="password-error-new_password2"' in page
        assert problem in page
        owner.refresh_from_db()
        assert owner.check_password(PASSWORD)

    @pytest.mark.parametrize(
        ("password", "problem"),
        [
            ("short1", "too short"),
            ("password123", "too common"),
            ("83749201853", "entirely numeric"),
            ("newreader1", "too similar to the username"),
        ],
    )
    def test_sign_up_refuses_a_weak_password_naming_the_field(self, client, password, problem):
        response = client.post(
            reverse("profiles:signup"),
            {"username": "newreader", "password1": password, "password2": password},
        )
        assert response.status_code == 400
        page = response.content.decode()
        error = re.search(r'data-testid="signup-error-(\w+)">([^<]*)<', page)
        assert error and error[1] == "password2" and problem in error[2], page[:3000]
        assert not get_user_model().objects.filter(username="newreader").exists()

    def test_sign_up_with_a_strong_password_makes_the_account(self, client):
        response = client.post(
            reverse("profiles:signup"),
            {"username": "newreader", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302
        assert get_user_model().objects.get(username="newreader").check_password(PASSWORD)
