"""CSRF: every form of the website is refused without its token and accepted with it.

The forms are the website's POST routes of tests/test_security_access.py
(which fails when a route is added without being listed there), plus the
sign-in, sign-up and password forms. The templates are read too: every
``<form method="post">`` carries the token, and htmx requests send it in a
header set once on ``<body>``.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from profiles.services import profile_for
from tests import test_security_access as access
from tests.api import signed_in
from tests.test_security_access import NEVER, PROBES, WEB, Probe, send

pytestmark = pytest.mark.django_db

world = access.world  # the same people and data as the cross-user tests

PASSWORD = "correct horse battery"  # tests.factories.make_user's
TEMPLATES = Path(settings.BASE_DIR) / "templates"

SIGNED_IN_FORMS = [
    (route, probe)
    for route, (kind, probes) in PROBES.items()
    if kind == WEB
    for probe in probes
    if probe.method == "post"
]
SIGNED_IN_FORMS += [
    ("password_change", Probe("post", "/accounts/password_change/", {"old_password": "x"})),
    ("logout", Probe("post", "/accounts/logout/")),
]
SIGNED_OUT_FORMS = [
    ("login", Probe("post", "/accounts/login/", {"username": "owner", "password": PASSWORD})),
    (
        "profiles:signup",
        Probe(
            "post",
            "/accounts/signup/",
            {"username": "newcomer", "password1": "a long pass", "password2": "a long pass"},
        ),
    ),
    ("password_reset", Probe("post", "/accounts/password_reset/", {"email": "a@example.org"})),
]


def csrf_client(user=None) -> tuple[Client, str]:
    """A client that checks CSRF as a browser's requests are checked, and its token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("login") if user is None else reverse("profiles:account"))
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def ids_for(world: dict) -> dict:
    return {"item": world["item"], "interaction": NEVER, "token": world["token"]}


def label(case) -> str:
    route, probe = case
    return f"{route}:{probe.path}:{sorted(probe.data.items())}"


class TestForms:
    @pytest.mark.parametrize("case", SIGNED_IN_FORMS, ids=label)
    def test_a_signed_in_form_is_refused_without_its_token_and_accepted_with_it(
        self, case, world, owner
    ):
        route, probe = case
        client, token = csrf_client(owner)
        revision = profile_for(owner).revision
        refused = send(client, probe, ids_for(world), kind=WEB)
        assert refused.status_code == 403, route
        assert "CSRF" in refused.content.decode()
        assert profile_for(owner).revision == revision
        assert "_auth_user_id" in client.session, "not even signed out"

        probe = Probe(probe.method, probe.path, {**probe.data, "csrfmiddlewaretoken": token})
        accepted = send(client, probe, ids_for(world), kind=WEB)
        assert accepted.status_code != 403, route
        assert accepted.status_code < 500, route

    @pytest.mark.parametrize("case", SIGNED_OUT_FORMS, ids=label)
    def test_a_signed_out_form_needs_its_token_too(self, case, owner, settings):
        # The reset form exists only where email is configured (recsite/settings.py).
        settings.PASSWORD_RESET_ENABLED = True
        route, probe = case
        client, token = csrf_client()
        refused = send(client, probe, {}, kind=WEB)
        assert refused.status_code == 403, route
        accepted = send(
            client,
            Probe(probe.method, probe.path, {**probe.data, "csrfmiddlewaretoken": token}),
            {},
            kind=WEB,
        )
        assert accepted.status_code in (200, 302), route

    def test_an_edit_with_the_token_is_saved(self, owner):
        client, token = csrf_client(owner)
        response = client.post(
            reverse("profiles:edit"),
            {"text": "Likes:\n- boats", "base_revision": 0, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        assert profile_for(owner).revision == 1

    def test_htmx_requests_carry_the_token_in_a_header(self, owner):
        client, token = csrf_client(owner)
        response = client.post(
            reverse("engine:for_you_controls"),
            {"balance": 0.2},
            HTTP_HX_REQUEST="true",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200
        assert profile_for(owner).balance == pytest.approx(0.2)


class TestApi:
    def test_a_session_signed_in_write_needs_the_token(self, owner):
        client, token = csrf_client(owner)
        body = {"text": "Likes:\n- boats", "base_revision": 0}
        refused = client.put("/api/profile/", body, content_type="application/json")
        assert refused.status_code == 403
        assert "CSRF" in refused.json()["message"]
        accepted = client.put(
            "/api/profile/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
        )
        assert accepted.status_code == 200

    def test_a_key_signed_in_write_needs_no_token(self, owner):
        # A key is not sent by a browser on its own, so a forged page cannot use it.
        response = signed_in(owner).put(
            "/api/profile/", {"text": "Likes:\n- boats", "base_revision": 0}, format="json"
        )
        assert response.status_code == 200


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


class TestTemplates:
    def test_every_post_form_carries_the_token(self):
        checked = 0
        for path in TEMPLATES.rglob("*.html"):
            for form in FORM.findall(path.read_text()):
                opening = form.split(">", 1)[0]
                if re.search(r'method="post"', opening, re.I):
                    assert "{% csrf_token %}" in form, (path.name, opening)
                    checked += 1
        assert checked >= 10

    def test_htmx_posts_get_the_token_from_the_body(self):
        base = (TEMPLATES / "base.html").read_text()
        assert """hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'""" in base
