"""Every kind of page passes the site's Content-Security-Policy, in a real headless Chromium.

The policy (recsite/settings.py, sent by recsite/middleware.py) refuses
inline scripts and styles and anything from another origin. Chromium
reports each thing it refuses as a ``securitypolicyviolation`` event and a
console message; the tests record both from before the page's own scripts
run, load each kind of page (the website's, the admin's, the API's docs),
let its scripts finish, and expect none. Browser setup, and when these
tests skip, as in tests/test_browser.py.
"""

import pytest

from profiles.services import token_create
from tests import test_browser
from tests.factories import make_user, profile_write_text
from tests.test_browser import Visitor

pytestmark = pytest.mark.browser
browser = test_browser.browser
visit = test_browser.visit

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || "page"}:${event.lineNumber})`);
});
"""


class Watched:
    """A browser tab that records every CSP refusal, from events and the console."""

    def __init__(self, visitor: Visitor) -> None:
        self.visitor = visitor
        self.page = visitor.page
        self.console: list[str] = []
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def load(self, path: str, *, ready: str | None = None) -> None:
        response = self.page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        if ready:
            self.page.locator(ready).first.wait_for()
        self.page.wait_for_load_state("networkidle")

    def refusals(self) -> list[str]:
        return self.page.evaluate("() => window.__csp") + self.console


@pytest.fixture
def people(sample_catalog):
    reader = make_user("reader")
    profile_write_text(
        user=reader, text="Likes:\n- first contact\nAvoids:\n- horror", base_revision=0
    )
    token_create(user=reader, name="Phone app")
    return {
        "reader": reader,
        "newcomer": make_user("newcomer"),
        "staff": make_user("manager", is_staff=True, is_superuser=True),
        "item": sample_catalog["bk-001"],
    }


def pages(people) -> dict[str, tuple]:
    """name -> (who, path, a selector that shows the page's scripts have run)."""
    item = people["item"].pk
    reader, staff = people["reader"], people["staff"]
    return {
        "catalog": (None, "/", "[data-testid=catalog-item]"),
        "search": (None, "/?q=first+contact", "[data-testid=catalog-item]"),
        "item": (reader, f"/items/{item}/", "[data-testid=item-actions]"),
        "for-you": (reader, "/for-you/", "[data-testid=recommendations]"),
        "profile": (reader, "/profile/", "[data-testid=statement]"),
        "welcome": (people["newcomer"], "/welcome/", "#welcome-form"),
        "account": (reader, "/account/", "#token-form"),
        "login": (None, "/accounts/login/", "#login-form"),
        "signup": (None, "/accounts/signup/", "#signup-form"),
        "admin": (staff, "/admin/", "#content"),
        "admin items": (staff, "/admin/catalog/item/", "#result_list"),
        "admin item": (staff, f"/admin/catalog/item/{item}/change/", "#id_title"),
        "admin profile": (
            staff,
            f"/admin/profiles/profile/{reader.profile.pk}/change/",
            "#content",
        ),
        "admin keys": (staff, "/admin/profiles/apitoken/", "#result_list"),
        "api docs": (None, "/api/docs/", ".swagger-ui .info .title"),
        "browsable api": (reader, "/api/items/", ".response-info"),
    }


PAGE_NAMES = [
    "catalog",
    "search",
    "item",
    "for-you",
    "profile",
    "welcome",
    "account",
    "login",
    "signup",
    "admin",
    "admin items",
    "admin item",
    "admin profile",
    "admin keys",
    "api docs",
    "browsable api",
]


class TestContentSecurityPolicy:
    @pytest.mark.parametrize("name", PAGE_NAMES)
    def test_the_page_breaks_no_rule_of_the_policy(self, visit, people, name):
        who, path, ready = pages(people)[name]
        watched = Watched(visit(who))
        watched.load(path, ready=ready)
        assert watched.refusals() == [], path

    def test_the_profile_editors_live_preview_breaks_none(self, visit, people):
        # htmx swaps in the preview and shows its indicator: styles it would
        # otherwise inject inline.
        watched = Watched(visit(people["reader"]))
        watched.load("/profile/", ready="[data-testid=statement]")
        editor = watched.visitor.by_test_id("profile-text")
        editor.press("Control+End")
        editor.press_sequentially("\n- space opera", delay=10)
        watched.page.locator('[data-testid="preview-item"]').first.wait_for()
        assert watched.refusals() == []

    def test_a_new_keys_box_selects_itself_from_our_own_script(self, visit, people):
        watched = Watched(visit(people["reader"]))
        watched.load("/account/", ready="#token-form")
        watched.page.locator("#token-form input[name=name]").fill("Laptop")
        watched.page.locator("#token-form button[type=submit]").click()
        box = watched.visitor.by_test_id("new-key-value")
        box.wait_for()
        # Deferred scripts have run by "load"; the box gets focus afresh.
        watched.page.wait_for_load_state("load")
        watched.page.evaluate("() => document.activeElement?.blur()")
        box.focus()
        watched.page.wait_for_function(
            "() => { const box = document.getElementById('new-key-value');"
            " return box.value.length > 0"
            " && box.selectionEnd - box.selectionStart === box.value.length; }"
        )
        assert watched.refusals() == []

    def test_the_recorder_sees_an_inline_script_the_policy_refuses(self, visit, people):
        """The control: markup that sneaks an inline script in is refused and reported."""
        watched = Watched(visit())
        watched.load("/", ready="[data-testid=catalog-item]")
        watched.page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = true'; document.body.append(s); }"
        )
        watched.page.wait_for_function("() => window.__csp.length > 0")
        assert watched.page.evaluate("() => window.__ran") is None
        assert any(refusal.startswith("script-src") for refusal in watched.refusals())
