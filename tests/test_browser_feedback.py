"""Feedback where the eye is, in a real headless Chromium on a phone-sized screen.

Every error and confirmation shows beside the control that caused it, or at
the top of the page with keyboard focus moved to it; each test measures that
the message is on screen. An item page's "Why recommended" follows a like or a
dislike at once, instead of staying beside "Why isn't this in my list?".

Shares tests/test_browser.py's Chromium, live server and signed-in tabs (and
its skip when Chromium or playwright is missing).
"""

import re

import pytest

from profiles.services import profile_for
from tests import test_browser
from tests.factories import make_interaction, make_user, profile_write_text
from tests.test_browser import PHONE, Visitor, listed_ids
from tests.test_browser_phone import GENTLE_PROFILE

# tests/test_browser.py's fixtures, used here under the same names.
browser = test_browser.browser
visit = test_browser.visit

pytestmark = pytest.mark.browser

# Bytes that are no UTF-8 text (Latin-1 "café" and a stray continuation byte).
NOT_UTF8 = b"Likes:\n- caf\xe9 \x80 books\n"


def on_screen(locator) -> dict:
    """The element's box; asserted wholly inside a phone's screen (its top, at least)."""
    box = locator.evaluate(
        "el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }"
    )
    assert 0 <= box["top"] < PHONE["height"], f"its top is at {box['top']} px: off screen"
    return box


def has_focus(visitor: Visitor, locator) -> bool:
    return locator.evaluate(
        "el => el === document.activeElement || el.contains(document.activeElement)"
    )


@pytest.fixture
def reader(sample_catalog):
    """Someone whose profile page is long: lines, history, then the upload form."""
    person = make_user("reader")
    profile_write_text(user=person, text=GENTLE_PROFILE, base_revision=0)
    for number in range(1, 8):
        text = GENTLE_PROFILE + f"\n- ghost stories {number}"
        profile_write_text(user=person, text=text, base_revision=profile_for(person).revision)
    make_interaction(person, sample_catalog["bk-016"], value=5.0)
    return person


class TestMessagesAfterAForm:
    def test_an_upload_error_far_down_the_profile_is_shown_and_focused(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/profile/")
        revision = profile_for(reader).revision
        upload = page.locator('input[type="file"]')
        assert upload.evaluate("el => el.getBoundingClientRect().top") > 2 * PHONE["height"]
        upload.set_input_files(
            {"name": "profile.txt", "mimeType": "text/plain", "buffer": NOT_UTF8}
        )
        with page.expect_navigation():
            visitor.by_test_id("import-submit").click()
        error = page.locator('[role="alert"]', has_text="UTF-8")
        error.wait_for()
        page.wait_for_load_state("load")
        on_screen(error)
        assert has_focus(visitor, error), "focus moved to the error"
        assert profile_for(reader).revision == revision, "nothing was imported"

    def test_a_confirmation_after_a_redirect_is_at_the_top_and_focused(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/profile/")
        revision = profile_for(reader).revision
        page.locator('input[type="file"]').set_input_files(
            {"name": "profile.txt", "mimeType": "text/plain", "buffer": b"Likes:\n- sea stories\n"}
        )
        with page.expect_navigation():
            visitor.by_test_id("import-submit").click()
        page.wait_for_load_state("load")
        messages = page.locator("#messages")
        on_screen(messages)
        assert has_focus(visitor, messages)
        assert profile_for(reader).revision == revision + 1

    def test_a_line_changed_down_the_page_says_so_beside_the_line(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/profile/")
        line = visitor.by_test_id("statement").last
        position = line.get_attribute("data-position")
        assert line.evaluate("el => el.getBoundingClientRect().top") > PHONE["height"]
        line.get_by_test_id("statement-weight").fill("0.5")
        with page.expect_navigation():
            line.get_by_test_id("statement-save").click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"#line-{position}")
        messages = page.locator(f"#line-{position} #messages")
        on_screen(messages)
        # Focused once the browser's own scroll to the anchor is done.
        page.wait_for_function("document.activeElement.id === 'messages'")
        assert has_focus(visitor, messages)


class TestRatingAndReactions:
    def test_the_rating_message_shows_beside_the_stars(self, visit, reader, sample_catalog):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto(f"/items/{sample_catalog['bk-001'].pk}/")
        visitor.by_test_id("rate-4").scroll_into_view_if_needed()
        visitor.by_test_id("rate-4").click()
        done = visitor.by_test_id("item-actions-done")
        done.wait_for()
        assert done.inner_text() == "Rated 4 of 5."
        on_screen(done)
        visitor.screenshot("item-rated")

    def test_why_recommended_follows_a_dislike_without_a_reload(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/for-you/")
        listed = listed_ids(visitor)
        page.goto(f"/items/{listed[0]}/")
        page.evaluate("window.notReloaded = true")
        why = visitor.by_test_id("why-recommended")
        assert why.is_visible() and "Number 1 in your list" in why.inner_text()
        assert visitor.by_test_id("why-not-button").count() == 0, "never both"

        visitor.by_test_id("react-dislike").click()
        visitor.by_test_id("why-not-button").wait_for()
        assert visitor.by_test_id("why-recommended").count() == 0
        assert "Number 1" not in page.locator("#main").inner_text()
        assert page.evaluate("window.notReloaded") is True
        on_screen(visitor.by_test_id("item-actions-done"))

        # Taking the dislike back brings the reason back, in place.
        visitor.by_test_id("react-dislike").click()
        visitor.by_test_id("why-recommended").wait_for()
        assert visitor.by_test_id("why-not-button").count() == 0
        assert page.evaluate("window.notReloaded") is True


class TestSteeringMessages:
    def test_a_refused_change_says_why_under_its_card(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/for-you/")
        card = (
            visitor.by_test_id("recommendation")
            .filter(has=page.locator('[data-testid="line-controls"]'))
            .nth(2)
        )
        item_id = card.get_attribute("data-item-id")
        # The profile changes in another tab: this page's controls are now stale.
        profile_write_text(
            user=reader, text=GENTLE_PROFILE, base_revision=profile_for(reader).revision
        )
        card.get_by_test_id("change-reason").click()
        card.get_by_test_id("more-of-this").first.click()
        answer = page.locator(f'#steer-{item_id} [data-testid="steer-preview"]')
        error = answer.get_by_test_id("steer-error")
        error.wait_for()
        assert "changed" in error.inner_text()
        on_screen(error)
        assert has_focus(visitor, answer)

    def test_applied_from_an_item_page_the_list_opens_at_that_card(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/for-you/")
        item_id = listed_ids(visitor)[3]
        page.goto(f"/items/{item_id}/")
        reason = visitor.by_test_id("why-recommended")
        reason.get_by_test_id("change-reason").click()
        reason.get_by_test_id("more-of-this").first.click()
        preview = page.locator(f'#steer-{item_id} [data-testid="steer-preview"]')
        preview.wait_for()
        on_screen(preview)
        preview.get_by_test_id("steer-apply").click()
        page.wait_for_url(re.compile(rf"/for-you/#rec-{item_id}$"))
        page.wait_for_load_state("load")
        toast = visitor.by_test_id("steer-toast")
        toast.wait_for()
        page.wait_for_function("document.activeElement.dataset.testid === 'steer-toast'")
        on_screen(toast)
        card = page.locator(f"#rec-{item_id}")
        if card.count():  # it may have moved out of the list: the toast says so
            assert on_screen(card)["top"] >= on_screen(toast)["bottom"]
