"""End to end: a real headless Chromium uses the website served by a live server.

Each test is one thing a person does, checked the way they would see it:
onboarding to a first list, rating, steering with an "Avoids" line through the
live preview, undo, an API key, and stored markup shown as text.

Needs Chromium at /usr/bin/chromium (``make test`` installs it with apt where
it can) and the Python package ``playwright``; without them these tests skip
and say which is missing. ``BROWSER_TESTS=required`` (CI) turns that skip
into a failure; ``BROWSER_TESTS=off`` skips them on purpose.

With ``RECSITE_SCREENSHOTS=docs/screenshots`` the tests also save the
README's screenshots of the pages they reach (``make screenshots``).
"""

import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from catalog.models import Item
from engine.indexing import items_pending_embedding, store_vectors
from profiles.models import ApiToken, Interaction, Statement
from profiles.services import profile_for
from tests.factories import make_item, make_user, profile_write_text

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# No sandbox: CI runs as root, where Chromium's sandbox refuses to start. The
# rest stops background downloads and updates: nothing outside 127.0.0.1.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("RECSITE_SCREENSHOTS")
VIEWPORT = {"width": 1280, "height": 900}
# A phone held upright (an iPhone 12 to 15's CSS pixels).
PHONE = {"width": 390, "height": 844}
# Long enough for the preview's 500 ms debounce plus a scoring round trip on
# a busy two-core machine; the usual wait is well under a second.
WAIT_MS = 15_000

MYSTERIES_AND_HORROR = "Likes:\n- horror\n- mysteries"
XSS_TITLE = "<img src=x onerror=alert(document.domain)> Murder at the Marmalade Fete"
XSS_LINE = "<img src=x onerror=alert(1)> cozy village mysteries"


def _what_is_missing() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing; `make test` installs it when run as root with apt-get "
            "(apt-get install chromium chromium-driver)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "the Python package playwright is not installed "
            "(pip install -r requirements-dev.txt -c requirements-lock.txt)"
        )
    return None


MODE = os.environ.get("BROWSER_TESTS", "auto")
MISSING = _what_is_missing()
# Skipped here, before any fixture, so a machine without Chromium does not
# load the encoder and a catalog just to skip; one line says why.
if MODE == "off":
    pytest.skip("browser tests skipped: BROWSER_TESTS=off", allow_module_level=True)
if MISSING and MODE != "required":
    pytest.skip(f"browser tests skipped: {MISSING}", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module (launching one takes about a second).

    Module-scoped, not session-scoped: Playwright's sync API runs an asyncio
    loop in this thread while it is open, which must be gone before tests in
    other modules run.
    """
    if MISSING:
        pytest.fail(f"browser tests are required (BROWSER_TESTS=required) but {MISSING}")
    from playwright.sync_api import sync_playwright

    # Django refuses ORM calls from a thread with a running event loop; this
    # thread only looks like one (Playwright's loop waits in a greenlet while
    # the test runs), so fixtures and assertions may query as usual.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class Visitor:
    """A browser tab for one person, with what the page did that it should not have."""

    def __init__(self, browser, base_url: str, **options) -> None:
        options.setdefault("viewport", VIEWPORT)
        self.context = browser.new_context(base_url=base_url, **options)
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("response", self._response)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _response(self, response) -> None:
        if response.status >= 500:
            self.failed_requests.append(response.url)

    def by_test_id(self, test_id: str):
        return self.page.get_by_test_id(test_id)

    def screenshot(self, name: str, *, height: int | None = None) -> None:
        """Save the top ``height`` pixels of the page as ``name``.png (a README picture).

        A tab as wide as a desktop saves the top of the page at phone width
        too (``name``-phone.png, one phone screen tall). A phone-sized tab
        saves only that, and of what is on its screen now: where the person
        scrolled to.
        """
        if not SCREENSHOTS:
            return
        folder = Path(SCREENSHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        viewport = self.page.viewport_size
        if viewport["width"] <= PHONE["width"]:
            self.page.screenshot(path=str(folder / f"{name}-phone.png"))
            return
        self._save_top(folder / f"{name}.png", height or viewport["height"])
        self.page.set_viewport_size(PHONE)
        try:
            self._save_top(folder / f"{name}-phone.png", PHONE["height"])
        finally:
            self.page.set_viewport_size(viewport)

    def _save_top(self, path: Path, height: int) -> None:
        width = self.page.viewport_size["width"]
        self.page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, live_server):
    """Open browser tabs on the live server; each must end with no errors and no 5xx."""
    opened: list[Visitor] = []

    def open_tab(user=None, **options) -> Visitor:
        """A tab, signed in as ``user``; ``options`` go to Playwright's new_context."""
        visitor = Visitor(browser, live_server.url, **options)
        if user is not None:
            visitor.context.add_cookies([_session_cookie(user, live_server.url)])
        opened.append(visitor)
        return visitor

    yield open_tab
    for visitor in opened:
        problems = (visitor.page_errors, visitor.failed_requests)
        visitor.close()
        assert problems == ([], []), "JavaScript errors or server errors while browsing"


def _session_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": url}


def listed_ids(visitor: Visitor, test_id: str = "recommendation") -> list[int]:
    items = visitor.by_test_id(test_id)
    return [int(pk) for pk in items.evaluate_all("els => els.map(e => e.dataset.itemId)")]


def wait_for_page(visitor: Visitor, path: str) -> None:
    visitor.page.wait_for_url(re.compile(re.escape(path) + r"(\?.*)?$"))


class TestStaticFiles:
    def test_htmx_is_served_and_running(self, visit, sample_catalog):
        visitor = visit()
        with visitor.page.expect_response(re.compile(r"/static/htmx/htmx\.min\.js$")) as served:
            visitor.page.goto("/")
        assert served.value.status == 200
        assert visitor.page.evaluate("typeof window.htmx") == "object"


class TestCatalog:
    def test_search_by_meaning_then_filter_by_category(self, visit, sample_catalog):
        visitor = visit()
        visitor.page.goto("/")
        assert len(listed_ids(visitor, "catalog-item")) == 24
        visitor.by_test_id("catalog-search").fill("first contact with aliens")
        visitor.by_test_id("catalog-submit").click()
        visitor.page.wait_for_url(re.compile(r"q=first"))
        first_contact = {sample_catalog[f"bk-00{n}"].pk for n in (1, 2, 3)}
        assert listed_ids(visitor, "catalog-item")[0] in first_contact
        visitor.screenshot("catalog")

        visitor.by_test_id("catalog-category").select_option("Horror")
        visitor.by_test_id("catalog-submit").click()
        visitor.page.wait_for_url(re.compile(r"category=Horror"))
        found = Item.objects.in_bulk(listed_ids(visitor, "catalog-item"))
        assert found and all("Horror" in item.categories for item in found.values())


class TestOnboarding:
    def test_sign_up_type_likes_and_avoids_and_see_a_list_that_says_why(
        self, visit, sample_catalog
    ):
        visitor = visit()
        page = visitor.page
        page.goto("/")
        visitor.by_test_id("nav-signup").click()
        page.get_by_label("Username").fill("newreader")
        page.get_by_label("Password", exact=True).fill("a long enough passphrase")
        page.get_by_label("Password confirmation").fill("a long enough passphrase")
        visitor.by_test_id("signup-submit").click()

        wait_for_page(visitor, "/welcome/")
        visitor.by_test_id("welcome-likes").fill(
            "slow-burn science fiction about first contact\ncozy village mysteries"
        )
        visitor.by_test_id("welcome-avoids").fill("gory slasher horror")
        visitor.screenshot("onboarding")
        visitor.by_test_id("welcome-submit").click()

        wait_for_page(visitor, "/for-you/")
        picks = visitor.by_test_id("recommendation")
        assert picks.count() == 12
        assert visitor.by_test_id("onboarding-invite").count() == 0
        first = picks.first
        assert first.get_by_test_id("rationale").inner_text().strip()
        quoted = first.get_by_test_id("quoted-line")
        assert quoted.inner_text() in (
            "“slow-burn science fiction about first contact”",
            "“cozy village mysteries”",
        )
        line = quoted.get_attribute("data-line")
        assert quoted.get_attribute("href") == f"/profile/#line-{line}"
        listed = Item.objects.in_bulk(listed_ids(visitor))
        slashers = {sample_catalog[f"bk-0{n}"].pk for n in (50, 51, 52, 53)}
        assert not slashers & set(listed), "an Avoids line's matches are never listed"
        assert {"Science fiction", "Mystery"} & {c for i in listed.values() for c in i.categories}
        visitor.screenshot("for-you")

        # The quoted line links to that line of the profile.
        quoted.click()
        wait_for_page(visitor, f"/profile/#line-{line}")
        statement = page.locator(f"#line-{line}")
        assert statement.get_attribute("data-polarity") == "like"


class TestRating:
    def test_a_star_click_is_shown_in_place_and_stored(self, visit, sample_catalog):
        reader = make_user("reader")
        item = sample_catalog["bk-001"]
        visitor = visit(reader)
        page = visitor.page
        page.goto(f"/items/{item.pk}/")
        assert page.locator("#item-title").inner_text().startswith(item.title)
        # Set on this page only: a full reload would lose it, an htmx swap keeps it.
        page.evaluate("window.notReloaded = true")

        visitor.by_test_id("rate-4").click()
        page.wait_for_selector('[data-testid="current-rating"]:text-is("4")')
        assert float(page.locator("#item-actions").get_attribute("data-rating")) == 4
        assert visitor.by_test_id("rate-4").get_attribute("aria-pressed") == "true"
        assert visitor.by_test_id("rate-5").get_attribute("aria-pressed") == "false"
        assert visitor.by_test_id("current-rating").inner_text() == "4"
        assert visitor.by_test_id("item-actions-done").inner_text() == "Rated 4 of 5."
        assert page.evaluate("window.notReloaded") is True
        assert list(
            Interaction.objects.filter(user=reader, item=item).values_list("kind", "value")
        ) == [("rating", 4.0)]

        visitor.by_test_id("react-like").click()
        page.wait_for_selector('#item-actions[data-reaction="like"]')
        assert visitor.by_test_id("react-like").get_attribute("aria-pressed") == "true"
        assert set(
            Interaction.objects.filter(user=reader, item=item).values_list("kind", flat=True)
        ) == {"rating", "like"}
        visitor.screenshot("item")

    def test_a_visitor_is_asked_to_sign_in_first(self, visit, sample_catalog):
        visitor = visit()
        visitor.page.goto(f"/items/{sample_catalog['bk-001'].pk}/")
        assert visitor.page.locator("#sign-in-to-rate").is_visible()
        assert visitor.by_test_id("rate-4").count() == 0


class TestSteering:
    def test_an_avoids_line_shows_what_leaves_before_saving_then_the_list_follows(
        self, visit, sample_catalog
    ):
        reader = make_user("reader")
        profile_write_text(user=reader, text=MYSTERIES_AND_HORROR, base_revision=0)
        visitor = visit(reader)
        page = visitor.page
        page.goto("/for-you/")
        before = listed_ids(visitor)
        horror_before = {pk for pk in before if "Horror" in Item.objects.get(pk=pk).categories}
        assert horror_before, "the horror line lists horror"

        page.goto("/profile/")
        editor = visitor.by_test_id("profile-text")
        assert editor.input_value().strip() == MYSTERIES_AND_HORROR
        editor.press("Control+End")
        # Typed key by key: the preview follows keystrokes, debounced.
        editor.press_sequentially("\nAvoids:\n- gory slasher horror", delay=10)
        left = visitor.by_test_id("preview-left")
        left.first.wait_for()
        left_ids = listed_ids(visitor, "preview-left")
        assert left_ids and set(left_ids) <= set(before)
        # Every horror book that leaves says the new line took it out; others
        # may leave too, displaced when diversity picks the list afresh.
        left_horror = [
            text
            for pk, text in zip(left_ids, left.all_inner_texts(), strict=True)
            if "Horror" in Item.objects.get(pk=pk).categories
        ]
        assert left_horror, "the avoids line takes horror out"
        assert all("gory slasher horror" in text for text in left_horror)
        entered = page.locator('[data-testid="preview-item"][data-change="entered"]')
        assert entered.count() >= 1
        assert not set(listed_ids(visitor, "preview-item")) & set(left_ids)
        assert profile_for(reader).revision == 1, "a preview saves nothing"
        visitor.screenshot("profile-preview", height=1500)

        visitor.by_test_id("profile-save").click()
        page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
        avoid = page.locator('[data-testid="statement"][data-polarity="avoid"]')
        assert avoid.get_by_test_id("statement-text").inner_text() == "gory slasher horror"

        visitor.by_test_id("nav-for-you").click()
        wait_for_page(visitor, "/for-you/")
        after = listed_ids(visitor)
        assert len(after) == len(before)
        assert not set(after) & set(left_ids), "what left the preview left the saved list"

    def test_nothing_gory_typed_under_likes_is_read_as_an_avoid_before_saving(
        self, visit, sample_catalog
    ):
        reader = make_user("reader")
        profile_write_text(user=reader, text=MYSTERIES_AND_HORROR, base_revision=0)
        gory = {i.pk for i in Item.objects.filter(tags__contains=["gory"])}
        visitor = visit(reader)
        page = visitor.page
        page.goto("/profile/")
        editor = visitor.by_test_id("profile-text")
        editor.press("Control+End")
        # Typed under the Likes header the profile ends with.
        editor.press_sequentially("\n- nothing gory", delay=10)
        line = page.locator('[data-testid="understood-line"]')
        line.first.wait_for()
        assert line.get_attribute("data-polarity") == "avoid"
        assert line.get_by_test_id("line-reading").inner_text().startswith("Avoids")
        assert profile_for(reader).revision == 1, "a preview saves nothing"

        visitor.by_test_id("profile-save").click()
        page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
        avoid = page.locator('[data-testid="statement"][data-polarity="avoid"]')
        assert avoid.get_by_test_id("statement-text").inner_text() == "nothing gory"
        visitor.by_test_id("nav-for-you").click()
        wait_for_page(visitor, "/for-you/")
        assert listed_ids(visitor) and not set(listed_ids(visitor)) & gory

    def test_restoring_a_revision_brings_its_text_back(self, visit, sample_catalog):
        reader = make_user("reader")
        profile_write_text(user=reader, text=MYSTERIES_AND_HORROR, base_revision=0)
        profile_write_text(
            user=reader, text=MYSTERIES_AND_HORROR + "\nAvoids:\n- ghosts", base_revision=1
        )
        visitor = visit(reader)
        page = visitor.page
        page.goto("/profile/")
        assert "ghosts" in visitor.by_test_id("profile-text").input_value()

        visitor.by_test_id("restore-1").click()
        page.wait_for_selector('[data-testid="profile-revision"][data-revision="3"]')
        assert visitor.by_test_id("profile-text").input_value().strip() == MYSTERIES_AND_HORROR
        assert page.get_by_role("status").filter(has_text="Undid: ").is_visible()
        assert visitor.by_test_id("statement-text").all_inner_texts() == ["horror", "mysteries"]
        assert page.locator('[data-testid="revision"][data-number="3"]').is_visible()

    def test_a_line_its_header_read_against_its_words_is_switched_in_one_click(
        self, visit, sample_catalog
    ):
        reader = make_user("reader")
        profile_write_text(user=reader, text=MYSTERIES_AND_HORROR, base_revision=0)
        visitor = visit(reader)
        page = visitor.page
        page.goto("/profile/")
        editor = visitor.by_test_id("profile-text")
        editor.press("Control+End")
        editor.press_sequentially("\nAvoids:\n- big fan of cooking", delay=10)
        switch = page.get_by_test_id("line-switch")
        switch.wait_for()
        assert switch.inner_text() == "Read as Likes instead"
        switch.click()
        line = page.locator('[data-testid="understood-line"][data-polarity="like"]')
        line.wait_for()
        assert "big fan of cooking" in line.inner_text()
        assert not page.get_by_test_id("line-switch").count()
        visitor.by_test_id("profile-save").click()
        page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
        liked = page.locator('[data-testid="statement"][data-polarity="like"]')
        assert any("big fan of cooking" in text for text in liked.all_inner_texts())


class TestApiKeys:
    def test_a_new_key_is_shown_once_and_signs_in_the_api(self, visit, live_server):
        reader = make_user("reader")
        profile_write_text(user=reader, text="Likes:\n- mysteries", base_revision=0)
        visitor = visit(reader)
        page = visitor.page
        page.goto("/account/")
        visitor.by_test_id("token-name").fill("my reading app")
        visitor.by_test_id("token-create").click()
        key = visitor.by_test_id("new-key-value").input_value()
        assert len(key) >= 40
        token = ApiToken.objects.get(user=reader)
        assert token.name == "my reading app" and key.startswith(token.prefix)
        assert visitor.by_test_id("token").get_attribute("data-token-id") == str(token.pk)
        visitor.screenshot("account")

        page.goto("/account/")
        assert visitor.by_test_id("new-key").count() == 0
        assert key not in page.content()

        status, body = _api_get(live_server.url, "/api/recommendations/?k=3", key)
        assert status == 200 and len(body["results"]) <= 3
        assert _api_get(live_server.url, "/api/recommendations/", key + "x")[0] == 401
        assert _api_get(live_server.url, "/api/recommendations/", None)[0] in (401, 403)


def _api_get(base_url: str, path: str, key: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(base_url + path)
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


class TestStoredMarkup:
    def test_a_statement_and_an_item_title_render_as_text(self, visit, sample_catalog):
        """Markup someone saved shows as the characters they typed and never runs."""
        item = make_item(XSS_TITLE, categories=["Mystery"], description="A village fete.")
        pending = items_pending_embedding(item_ids=[item.pk])
        store_vectors(pending, [_vector_of(sample_catalog["bk-016"])])
        reader = make_user("reader")
        profile_write_text(user=reader, text=f"Likes:\n- {XSS_LINE}", base_revision=0)
        assert Statement.objects.get(profile__user=reader).text == XSS_LINE
        visitor = visit(reader)
        page = visitor.page

        page.goto(f"/items/{item.pk}/")
        assert page.locator("#item-title").inner_text().startswith(XSS_TITLE)
        assert page.title().startswith(XSS_TITLE)
        assert_nothing_injected(visitor)

        page.goto("/?q=marmalade+fete")
        assert page.get_by_text(XSS_TITLE).first.is_visible()
        assert_nothing_injected(visitor)

        page.goto("/for-you/")
        assert f"“{XSS_LINE}”" in visitor.by_test_id("rationale").all_inner_texts()[0]
        assert_nothing_injected(visitor)

        page.goto("/profile/")
        assert visitor.by_test_id("statement-text").inner_text() == XSS_LINE
        # The preview is swapped in by htmx: its titles and quotes must stay text too.
        visitor.by_test_id("profile-text").press("Control+End")
        visitor.by_test_id("profile-text").press_sequentially("\n- village fete", delay=10)
        page.locator('[data-testid="preview-item"][data-change="entered"]').first.wait_for()
        assert XSS_TITLE in visitor.by_test_id("preview-list").inner_text()
        assert_nothing_injected(visitor)


def assert_nothing_injected(visitor: Visitor) -> None:
    assert visitor.page.locator('img[src="x"]').count() == 0, visitor.page.url
    assert visitor.dialogs == [], visitor.page.url


def _vector_of(item: Item):
    return Item.objects.values_list("embedding", flat=True).get(pk=item.pk)
