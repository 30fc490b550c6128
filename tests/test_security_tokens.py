"""API keys and passwords are stored hashed: a copy of the database or the logs signs no one in.

A key is made on the website and through the API, then used. Afterwards no
row of any table holds the key or the password as text, nothing logged
holds them, and what the key's row does hold (its hash, its prefix) is
refused as a key.
"""

import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from profiles.models import ApiToken
from tests.api import is_error

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.make_user's


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def tables_holding(text: str) -> list[str]:
    """Every table with a row whose text (any column) contains ``text``."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT 1 FROM {name} t WHERE strpos(row_to_json(t)::text, %s) > 0 LIMIT 1",
                [text],
            )
            if cursor.fetchone():
                found.append(table)
    return found


@pytest.fixture
def keys(owner, caplog):
    """Two working keys of owner's: one made on the website, one through the API."""
    caplog.set_level(logging.DEBUG)
    browser = Client()
    browser.force_login(owner)
    response = browser.post(reverse("profiles:token_new"), {"name": "laptop"}, follow=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    website_key = _shown_key(response.content.decode())
    response = with_key(website_key).post("/api/account/tokens/", {"name": "phone"}, format="json")
    assert response.status_code == 201
    api_key = response.json()["key"]
    for key in (website_key, api_key):
        assert with_key(key).get("/api/account/").json()["username"] == "owner"
    return [website_key, api_key]


def _shown_key(page: str) -> str:
    match = re.search(r'value="([A-Za-z0-9_-]{40,})"[^>]*data-testid="new-key-value"', page)
    assert match, "the new key is not on the page"
    return match[1]


class TestKeys:
    def test_no_table_holds_a_key(self, keys):
        for key in keys:
            assert tables_holding(key) == []
        assert tables_holding("laptop") == ["profiles_apitoken"]  # the search does find rows

    def test_what_the_database_holds_is_refused_as_a_key(self, keys):
        for stored in ApiToken.objects.values_list("key_hash", "prefix"):
            for value in stored:
                assert is_error(with_key(value).get("/api/account/"), 401)

    def test_no_log_line_holds_a_key(self, keys, caplog):
        # The keys were made and used while the fixture ran: its log lines.
        records = caplog.get_records("setup")
        assert any(r.name == "recsite.requests" for r in records), "no request was logged"
        logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)
        for key in keys:
            assert key not in logged


class TestPasswords:
    def test_no_table_holds_a_password(self, owner):
        Client().post(reverse("login"), {"username": "owner", "password": PASSWORD})
        assert tables_holding(PASSWORD) == []
        owner.refresh_from_db()
        assert owner.check_password(PASSWORD)
