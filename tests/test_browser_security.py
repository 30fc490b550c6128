"""Stored markup never runs, in a real headless Chromium: website pages, htmx fragments, admin.

Every payload would set ``window.__xss`` or open a dialog if the browser ran
it; each names the field it was planted in. After each page, and after each
htmx swap that shows planted text, the test checks the global is unset, no
dialog opened, no planted element exists, and the text is on the page as
typed. The server-rendered half (every page's HTML) is in
tests/test_security_xss.py. Browser setup, and when these tests skip, as in
tests/test_browser.py.
"""

import pytest

from catalog.models import Item
from engine.indexing import items_pending_embedding, store_vectors
from profiles.services import interaction_record, token_create
from tests import test_browser
from tests.factories import make_item, make_user, profile_write_text
from tests.test_browser import Visitor

pytestmark = pytest.mark.browser
# The browser tests' fixtures (and their skip when Chromium is missing).
browser = test_browser.browser
visit = test_browser.visit


def payload(field: str) -> str:
    """Runs in three ways if shown as markup: a broken-out attribute, an image, a script."""
    return (
        f"\"'><img src=x data-xss onerror=\"window.__xss='{field}'\">"
        f"<script>window.__xss='{field}'</script><svg onload=alert('{field}')>"
    )


def short_payload(field: str) -> str:
    """For fields of at most 100 characters (a label, a key's name)."""
    return f"\"'><img src=x data-xss onerror=\"window.__xss='{field}'\">"


TITLE = payload("title") + " Murder at the Marmalade Fete"
DESCRIPTION = "A village fete. " + payload("description")
TAG = short_payload("tag")
CATEGORY = short_payload("category")
# The words around the markup keep the line about the planted item (its vector is a cozy mystery's).
LINE = "Cozy village mysteries " + short_payload("line") + " a village fete mystery"
TOKEN_NAME = short_payload("key name")
QUERY = payload("query") + " marmalade"


@pytest.fixture
def world(sample_catalog):
    item = make_item(
        TITLE,
        description=DESCRIPTION,
        categories=["Mystery", CATEGORY],
        tags=[TAG],
        metadata={"author": payload("metadata")},
    )
    vector = Item.objects.values_list("embedding", flat=True).get(pk=sample_catalog["bk-016"].pk)
    store_vectors(items_pending_embedding(item_ids=[item.pk]), [vector])
    reader = make_user("reader")
    profile_write_text(user=reader, text=f"Likes:\n- {LINE}", base_revision=0)
    token_create(user=reader, name=TOKEN_NAME)
    staff = make_user("manager", is_staff=True, is_superuser=True)
    interaction_record(user=staff, item=item, kind="like")
    return {"item": item, "reader": reader, "staff": staff}


def assert_nothing_ran(visitor: Visitor, *shown: str) -> None:
    page = visitor.page
    where = page.url
    assert page.evaluate("() => window.__xss") is None, where
    assert visitor.dialogs == [], where
    assert page.locator("img[data-xss], script:text('__xss'), svg[onload]").count() == 0, where
    text = page.locator("body").inner_text()
    for typed in shown:
        # As typed, but for the whitespace the page layout may fold.
        assert " ".join(typed.split()) in " ".join(text.split()), (where, typed)


class TestStoredMarkupNeverRuns:
    def test_on_the_website_and_in_its_htmx_fragments(self, visit, world):
        visitor = visit(world["reader"])
        page = visitor.page
        item = world["item"]

        page.goto(f"/items/{item.pk}/")
        assert_nothing_ran(visitor, TITLE, DESCRIPTION, TAG, CATEGORY)
        # The item is in the reader's list: a dislike swaps its reasons for
        # the why-not button (a fragment out of band), whose answer is another.
        assert visitor.by_test_id("why-recommended").is_visible()
        visitor.by_test_id("react-dislike").click()
        visitor.by_test_id("why-not-button").click()
        visitor.by_test_id("why-not-answer").wait_for()
        assert_nothing_ran(visitor, TITLE)
        visitor.by_test_id("react-dislike").click()  # taken back: listed again
        visitor.by_test_id("why-recommended").wait_for()
        assert_nothing_ran(visitor, TITLE)

        page.goto("/")
        page.get_by_role("searchbox").fill(QUERY)
        page.get_by_role("searchbox").press("Enter")
        page.wait_for_url("**/?q=*")
        assert_nothing_ran(visitor, TITLE, QUERY)

        page.goto("/for-you/")
        assert_nothing_ran(visitor, TITLE, f"“{LINE}”")
        card = page.locator(f'[data-testid="recommendation"][data-item-id="{item.pk}"]')
        card.get_by_test_id("not-this-avoid").first.click()
        page.locator('[data-testid="steer-change"]').first.wait_for()
        assert_nothing_ran(visitor, TITLE)

        page.goto("/profile/")
        assert_nothing_ran(visitor, LINE)
        visitor.by_test_id("profile-text").press("Control+End")
        visitor.by_test_id("profile-text").press_sequentially("\n- village fete", delay=10)
        page.locator('[data-testid="preview-item"]').first.wait_for()
        assert_nothing_ran(visitor, TITLE)

        page.goto("/account/")
        assert_nothing_ran(visitor, TOKEN_NAME)

    def test_in_the_admin(self, visit, world):
        visitor = visit(world["staff"])
        page = visitor.page
        page.goto("/admin/catalog/item/")
        assert_nothing_ran(visitor, TITLE)
        page.goto(f"/admin/catalog/item/{world['item'].pk}/change/")
        assert_nothing_ran(visitor)
        assert page.locator("#id_title").input_value() == TITLE
        page.goto("/admin/profiles/interaction/")
        assert_nothing_ran(visitor, TITLE)

    def test_the_payloads_do_run_when_a_page_takes_them_as_markup(self, visit, live_server):
        """The control: without escaping, this browser runs each kind of payload."""
        # The site's Content-Security-Policy refuses inline handlers and
        # scripts as well (tests/test_browser_csp.py); this control is about
        # escaping alone, so the tab sets the policy aside.
        visitor = visit(bypass_csp=True)
        visitor.page.goto("/health/live")
        visitor.page.evaluate("html => { document.body.innerHTML = html }", short_payload("img"))
        visitor.page.wait_for_function("() => window.__xss === 'img'")
        visitor.page.set_content(f"<body>{TITLE}</body>")
        assert visitor.page.evaluate("() => window.__xss") == "title"
        assert visitor.dialogs == ["title"]
        visitor.dialogs.clear()
