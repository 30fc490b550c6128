"""End to end: steering from a recommendation's reason in a real headless Chromium.

A person reads why an item is on "For you" and changes that reason where it
is shown: edits the quoted line in place, asks for less and more of it, says
"not this reason" (an Avoids line), sees each effect previewed under the card
before anything is saved, applies it and takes it back with the toast's Undo.

Shares tests/test_browser.py's Chromium, live server and signed-in tabs (and
its skip when Chromium or playwright is missing). With
``RECSITE_SCREENSHOTS=docs/screenshots`` it saves the README's pictures of
the controls (``rationale-*.png``).
"""

import os
from pathlib import Path

import pytest

from profiles.models import Statement
from profiles.services import profile_for
from tests import test_browser
from tests.factories import make_user, profile_write_text
from tests.test_browser import PHONE, Visitor, listed_ids

# tests/test_browser.py's fixtures, used here under the same names: one
# Chromium for this module and signed-in tabs on the live server.
browser = test_browser.browser
visit = test_browser.visit

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("RECSITE_SCREENSHOTS")
HORROR_AND_MYSTERIES = "Likes:\n- horror\n- mysteries"


def shot(locator, name: str) -> None:
    """Save one element (a card, the list's top) as ``name``.png: a README picture,
    and as ``name``-phone.png at a phone's width."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(folder / f"{name}.png"))
    page = locator.page
    viewport = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        locator.screenshot(path=str(folder / f"{name}-phone.png"))
    finally:
        page.set_viewport_size(viewport)


def cards_quoting(visitor: Visitor, position: int) -> dict[int, int]:
    """Item id -> rank of the listed cards whose reason has the controls of line ``position``."""
    cards = visitor.page.locator(
        f'[data-testid="recommendation"]:has([data-testid="line-controls"][data-line="{position}"])'
    )
    return {
        int(pk): int(rank)
        for pk, rank in cards.evaluate_all(
            "els => els.map(e => [e.dataset.itemId, e.dataset.rank])"
        )
    }


def card(visitor: Visitor, item_id: int):
    return visitor.page.locator(f'[data-testid="recommendation"][data-item-id="{item_id}"]')


def line_controls(visitor: Visitor, item_id: int, position: int):
    return card(visitor, item_id).locator(f'[data-testid="line-controls"][data-line="{position}"]')


def preview_under(visitor: Visitor, item_id: int):
    """Wait for the preview that a control of this card asked for; return it."""
    preview = visitor.page.locator(f'#steer-{item_id} [data-testid="steer-preview"]')
    preview.wait_for()
    return preview


def apply_and_wait(visitor: Visitor, preview, message: str) -> None:
    """Press Apply and wait until the new list's toast says ``message``."""
    preview.get_by_test_id("steer-apply").click()
    toast_says(visitor, message)


def toast_says(visitor: Visitor, message: str) -> None:
    visitor.page.locator('[data-testid="steer-toast-message"]', has_text=message).wait_for()


def weight_of(reader, position: int) -> float:
    return Statement.objects.get(profile__user=reader, position=position).weight


@pytest.fixture
def reader(sample_catalog):
    person = make_user("reader")
    profile_write_text(user=person, text=HORROR_AND_MYSTERIES, base_revision=0)
    return person


class TestSteeringFromTheReason:
    def test_edit_in_place_less_and_more_then_undo(self, visit, reader):
        visitor = visit(reader)
        page = visitor.page
        page.goto("/for-you/")
        mysteries = next(iter(cards_quoting(visitor, 1)))
        shot(card(visitor, mysteries), "rationale-controls")

        # Edit in place: the quoted line becomes a text field under the card.
        controls = line_controls(visitor, mysteries, 1)
        controls.get_by_test_id("edit-line").click()
        controls.get_by_test_id("edit-line-text").fill("cozy village mysteries")
        controls.get_by_test_id("edit-line-preview").click()
        preview = preview_under(visitor, mysteries)
        assert "“mysteries” now reads “cozy village mysteries”." in preview.inner_text()
        assert profile_for(reader).revision == 1, "a preview saves nothing"
        shot(card(visitor, mysteries), "rationale-edit-preview")
        apply_and_wait(visitor, preview, "now reads “cozy village mysteries”")
        assert Statement.objects.get(profile__user=reader, position=1).text == (
            "cozy village mysteries"
        )
        quotes = visitor.by_test_id("quoted-line").all_inner_texts()
        assert "“cozy village mysteries”" in quotes and "“mysteries”" not in quotes

        # Less of this: the line's items sink (counted 13th when gone) and its
        # strength scale shows one step fewer.
        horror = cards_quoting(visitor, 0)
        assert horror, "the horror line is quoted"
        first = min(horror, key=horror.get)
        line_controls(visitor, first, 0).get_by_test_id("less-of-this").click()
        apply_and_wait(
            visitor, preview_under(visitor, first), "Less of “horror”: it now counts strongly."
        )
        assert weight_of(reader, 0) == 0.8
        after_less = listed_ids(visitor)
        ranks = {pk: n for n, pk in enumerate(after_less, start=1)}
        assert sum(ranks.get(pk, 13) for pk in horror) > sum(horror.values())
        quoting = page.locator('[data-testid="line-controls"][data-line="0"]').first
        assert quoting.get_attribute("data-weight") == "0.8"
        assert quoting.locator(".pip.on").count() == 4
        assert visitor.by_test_id("move").count() >= 1, "each item's move is shown"

        # More of this takes it back up a step; Undo returns to 0.8 and that list.
        again = next(iter(cards_quoting(visitor, 0)))
        line_controls(visitor, again, 0).get_by_test_id("more-of-this").click()
        apply_and_wait(
            visitor, preview_under(visitor, again), "More of “horror”: it now counts fully."
        )
        assert weight_of(reader, 0) == 1.0
        visitor.by_test_id("steer-undo").click()
        toast_says(visitor, "Undid: ")
        assert weight_of(reader, 0) == 0.8
        assert listed_ids(visitor) == after_less

    def test_not_this_reason_takes_its_items_off_the_list_and_undo_brings_them_back(
        self, visit, reader
    ):
        visitor = visit(reader)
        page = visitor.page
        page.goto("/for-you/")
        before = listed_ids(visitor)
        horror = cards_quoting(visitor, 0)
        assert horror, "the horror line is quoted"
        first = min(horror, key=horror.get)

        line_controls(visitor, first, 0).get_by_test_id("not-this-avoid").click()
        preview = preview_under(visitor, first)
        leaving = {
            int(pk)
            for pk in preview.locator('[data-change="left"]').evaluate_all(
                "els => els.map(e => e.dataset.itemId)"
            )
        }
        assert set(horror) <= leaving, "the preview says the line's items leave"
        assert Statement.objects.get(profile__user=reader, position=0).polarity == "like"
        shot(card(visitor, first), "rationale-not-this-reason")

        apply_and_wait(visitor, preview, "“horror” is now an Avoids line.")
        after = listed_ids(visitor)
        assert after and not set(after) & leaving, "what the preview said leaves, left"
        left_named = (
            visitor.by_test_id("steer-left")
            .locator("a")
            .evaluate_all("els => els.map(e => Number(e.dataset.itemId))")
        )
        assert set(horror) <= set(left_named), "the toast names what left"
        assert Statement.objects.get(profile__user=reader, text="horror").polarity == "avoid"
        page.evaluate("window.scrollTo(0, 0)")
        visitor.screenshot("rationale-undo-toast", height=1000)

        visitor.by_test_id("steer-undo").click()
        toast_says(visitor, "Undid: ")
        assert listed_ids(visitor) == before
        assert Statement.objects.get(profile__user=reader, position=0).polarity == "like"
