"""The Content-Security-Policy header, and templates built to pass it.

What Chromium makes of the policy on each kind of page is in
tests/test_browser_csp.py; these checks need no browser.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.api import anonymous, signed_in

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An inline <script> with code (a src= or a JSON data block is fine), a
# <style> element, a style= attribute or an on...= event handler.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"
    r"|<style\b|\sstyle\s*=|\son[a-z]+\s*=",
    re.I,
)


def policy_of(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


@pytest.mark.django_db
class TestHeader:
    @pytest.mark.parametrize(
        "path", ["/", "/accounts/login/", "/api/docs/", "/admin/login/", "/no-such-page/"]
    )
    def test_every_page_gets_the_strict_policy(self, client, path):
        policy = policy_of(client.get(path))
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]

    def test_json_answers_carry_it_too(self):
        assert policy_of(anonymous().get("/api/items/"))["default-src"] == ["'self'"]

    def test_the_browsable_api_may_inline_styles_never_scripts(self, client, owner):
        client.force_login(owner)
        response = client.get("/api/account/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200 and b"Django REST framework" in response.content
        policy = policy_of(response)
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["script-src"] == ["'self'"]
        # The same route as JSON is not relaxed.
        json_policy = policy_of(signed_in(owner).get("/api/account/"))
        assert json_policy["style-src"] == ["'self'"]


class TestTemplates:
    @pytest.mark.parametrize(
        "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
    )
    def test_has_no_inline_script_style_or_handler(self, template):
        # Template comments are never sent.
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)
        assert INLINE.findall(text) == []

    def test_the_check_finds_each_kind(self):
        found = INLINE.findall(
            '<script>x()</script><style>b{}</style><p style="c"><a onclick="d">'
            '<script src="/static/e.js"></script><script type="application/json">{}</script>'
        )
        assert len(found) == 4
