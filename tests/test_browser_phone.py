"""The website on a phone (390 x 844), in a real headless Chromium.

Every page fits the screen's width (nothing scrolls sideways); each
recommendation's reason controls fold behind one "Change this reason" control
on a narrow screen and stay open on a wide one; and after Apply or Undo on a
reason control the card acted on is still on screen, not somewhere the page
jumped away from.

Shares tests/test_browser.py's Chromium, live server and signed-in tabs (and
its skip when Chromium or playwright is missing).
"""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from profiles.services import profile_for, token_create
from tests import test_browser
from tests.factories import make_interaction, make_user, profile_write_text
from tests.test_browser import PHONE, Visitor, listed_ids

# tests/test_browser.py's fixtures, used here under the same names.
browser = test_browser.browser
visit = test_browser.visit

pytestmark = pytest.mark.browser

# Lines that start weak, so "More of this" can lift them and each card keeps its reason.
GENTLE_PROFILE = "Likes:\n- horror (a little)\n- mysteries (a little)\nAvoids:\n- cooking"
# An unbroken run of letters: a title or line a phone must wrap, not scroll.
LONG_WORD = "Supercalifragilisticexpialidociousnessesfortheunbreakable"

# What overflows the page's width, named for the failure message.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  return {
    scroll: document.documentElement.scrollWidth,
    client: width,
    culprits: wide.slice(0, 5).map((el) => el.tagName.toLowerCase() +
      (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ")[0] : "")),
  };
}"""


def sideways(visitor: Visitor, path: str) -> list[str]:
    """[] when the page at ``path`` (already loaded) scrolls only up and down, else why not."""
    sizes = visitor.page.evaluate(OVERFLOWING)
    return [] if sizes["scroll"] <= sizes["client"] else [f"{path} scrolls sideways: {sizes}"]


def top_in_view(locator) -> float:
    """The element's top, in pixels from the viewport's top; asserted on screen."""
    top = locator.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"], f"its top is at {top} px, off a {PHONE['height']} px screen"
    return top


@pytest.fixture
def reader(sample_catalog):
    """Someone with a profile of several lines, ratings, and a long history of edits."""
    person = make_user("reader")
    profile_write_text(user=person, text=GENTLE_PROFILE, base_revision=0)
    for number in range(1, 12):  # more than one page of history
        text = GENTLE_PROFILE + f"\n- {LONG_WORD} {number}"
        profile_write_text(user=person, text=text, base_revision=profile_for(person).revision)
    profile_write_text(user=person, text=GENTLE_PROFILE, base_revision=profile_for(person).revision)
    for external_id in ("bk-016", "bk-050"):
        make_interaction(person, sample_catalog[external_id], value=5.0)
    token_create(user=person, name=f"my {LONG_WORD} app")
    return person


def _regeneration_page(visitor: Visitor) -> None:
    """Post "write it again" as a browser without JavaScript would: its page of its own."""
    visitor.page.goto("/profile/")
    with visitor.page.expect_navigation():
        visitor.page.evaluate(
            """() => {
              const form = document.querySelector('[data-testid="regenerate"]').form;
              form.submit();  // not htmx's request: submit() fires no submit event
            }"""
        )


class TestNoSidewaysScroll:
    def test_every_page_fits_a_phone_screen(self, visit, reader, sample_catalog, settings):
        settings.PASSWORD_RESET_ENABLED = True
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/for-you/")
        listed = listed_ids(visitor)
        pages = [
            "/",
            f"/?q={LONG_WORD}",
            "/?q=first+contact&category=Science+fiction",
            "/?page=2",
            f"/items/{listed[0]}/",
            f"/items/{sample_catalog['bk-016'].pk}/",
            f"/items/{sample_catalog['bk-016'].pk}/why-not/",
            "/for-you/",
            "/for-you/?category=Horror",
            "/profile/",
            "/profile/?history=2",
            "/welcome/",
            "/account/",
            "/account/delete/",
            "/accounts/password_change/",
            "/accounts/password_change/done/",
            "/api/docs/",
        ]
        problems = []
        for path in pages:
            response = page.goto(path)
            assert response.status == 200, path
            problems += sideways(visitor, path)
        _regeneration_page(visitor)
        assert re.search(r"/profile/regenerate/preview/$", page.url)
        problems += sideways(visitor, page.url)

        stranger = visit(viewport=PHONE)
        uid = urlsafe_base64_encode(force_bytes(reader.pk))
        token = default_token_generator.make_token(reader)
        for path in (
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password_reset/",
            "/accounts/password_reset/done/",
            f"/accounts/reset/{uid}/{token}/",
            "/accounts/reset/done/",
            f"/items/{listed[0]}/",
        ):
            response = stranger.page.goto(path)
            assert response.status == 200, path
            problems += sideways(stranger, path)
        # A page with its errors shown fits too.
        stranger.page.goto("/accounts/signup/")
        stranger.page.get_by_label("Username").fill(LONG_WORD)
        stranger.page.get_by_label("Password", exact=True).fill("short")
        stranger.page.get_by_label("Password confirmation").fill("different")
        stranger.by_test_id("signup-submit").click()
        stranger.page.locator(".error").first.wait_for()
        problems += sideways(stranger, "/accounts/signup/ with errors")
        assert problems == []


class TestReasonControlsFold:
    def test_folded_behind_one_control_on_a_phone_and_open_on_a_wide_screen(self, visit, reader):
        phone = visit(reader, viewport=PHONE)
        phone.page.goto("/for-you/")
        first = phone.by_test_id("recommendation").first
        change = first.get_by_test_id("change-reason")
        assert change.is_visible() and change.inner_text() == "Change this reason"
        assert not first.get_by_test_id("more-of-this").first.is_visible()
        folded = first.evaluate("el => el.getBoundingClientRect().height")

        # The keyboard opens it: Tab to it, Enter, and the next Tab reaches a control.
        change.focus()
        phone.page.keyboard.press("Enter")
        assert first.get_by_test_id("more-of-this").first.is_visible()
        assert first.evaluate("el => el.getBoundingClientRect().height") > folded
        phone.page.keyboard.press("Tab")
        focused = phone.page.evaluate("document.activeElement.closest('.reason-controls') !== null")
        assert focused, "Tab after opening goes into the controls"

        wide = visit(reader)
        wide.page.goto("/for-you/")
        card = wide.by_test_id("recommendation").first
        assert not card.get_by_test_id("change-reason").is_visible()
        assert card.get_by_test_id("more-of-this").first.is_visible()
        card.get_by_test_id("more-of-this").first.focus()
        assert wide.page.evaluate("document.activeElement.dataset.testid") == "more-of-this"


class TestTheCardActedOnStaysInView:
    def test_after_apply_and_after_undo(self, visit, reader):
        visitor = visit(reader, viewport=PHONE)
        page = visitor.page
        page.goto("/for-you/")
        # A card far enough down the list that a jump to the top or the foot shows.
        cards = visitor.by_test_id("recommendation")
        quoting = cards.filter(has=page.locator('[data-testid="line-controls"]'))
        assert quoting.count() >= 4
        card = quoting.nth(3)
        item_id = card.get_attribute("data-item-id")
        card.get_by_test_id("change-reason").click()
        card.get_by_test_id("more-of-this").first.click()
        preview = page.locator(f'#steer-{item_id} [data-testid="steer-preview"]')
        preview.wait_for()
        top_in_view(preview)
        visitor.screenshot("steer-preview")

        preview.get_by_test_id("steer-apply").click()
        page.locator('[data-testid="steer-toast"]').wait_for()
        acted = page.locator(f'[data-testid="recommendation"][data-item-id="{item_id}"]')
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        top_in_view(acted)
        assert page.evaluate("document.activeElement.dataset.testid") == "steer-toast"
        toast_bottom = page.locator('[data-testid="steer-toast"]').evaluate(
            "el => el.getBoundingClientRect().bottom"
        )
        assert top_in_view(acted) >= toast_bottom, "the toast does not cover the card"
        visitor.screenshot("steer-applied")

        page.get_by_test_id("steer-undo").click()
        page.locator('[data-testid="steer-toast-message"]', has_text="Undid").wait_for()
        page.wait_for_function("() => !document.querySelector('.htmx-request')")
        top_in_view(acted)
