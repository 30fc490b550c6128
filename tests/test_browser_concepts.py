"""The label a line acts on, switched in a real headless Chromium before saving.

A person types an Avoids line that names a category, sees "acts on: Horror
(category)" beside it in the preview, switches the label off with one click,
saves, then edits another line: the choice stays with its line. Shares
tests/test_browser.py's Chromium, live server and signed-in tabs (and its
skip when Chromium or playwright is missing).
"""

import pytest

from catalog.models import Item
from profiles.models import Statement
from profiles.services import profile_for
from tests import test_browser
from tests.factories import make_user, profile_write_text

browser = test_browser.browser
visit = test_browser.visit

pytestmark = pytest.mark.browser


def concept_of(user, text: str) -> str:
    return Statement.objects.get(profile__user=user, text=text).concept


def test_a_label_switched_off_in_the_preview_survives_an_edit_of_another_line(
    visit, sample_catalog
):
    reader = make_user("reader")
    profile_write_text(user=reader, text="Likes:\n- mysteries", base_revision=0)
    visitor = visit(reader)
    page = visitor.page
    page.goto("/profile/")
    editor = visitor.by_test_id("profile-text")
    editor.press("Control+End")
    editor.press_sequentially("\nAvoids:\n- horror novels", delay=10)
    line = page.locator('[data-testid="understood-line"]')
    line.first.wait_for()
    assert line.get_by_test_id("line-reading").inner_text() == "Avoids · acts on: Horror (category)"

    line.get_by_test_id("concept-off").click()
    page.wait_for_selector('[data-testid="understood-line"][data-chosen="-"]')
    reading = page.locator('[data-testid="understood-line"]').get_by_test_id("line-reading")
    assert reading.inner_text() == "Avoids · matched by meaning (your choice)"
    visitor.by_test_id("profile-save").click()
    page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
    assert concept_of(reader, "horror novels") == "-"

    # Another line added in the editor and saved: the switch stays off.
    editor = visitor.by_test_id("profile-text")
    editor.press("Control+Home")
    editor.press("End")
    editor.press_sequentially("\n- travel writing", delay=10)
    page.locator('[data-testid="understood-line"]').first.wait_for()
    visitor.by_test_id("profile-save").click()
    page.wait_for_selector('[data-testid="profile-revision"][data-revision="3"]')
    assert concept_of(reader, "horror novels") == "-"
    assert concept_of(reader, "travel writing") == ""


def test_an_avoids_line_naming_two_categories_shows_both_and_the_saved_list_has_neither(
    visit, sample_catalog
):
    reader = make_user("reader")
    profile_write_text(user=reader, text="Likes:\n- mysteries\n- fantasy", base_revision=0)
    named = {"Horror", "Romance"}
    visitor = visit(reader)
    page = visitor.page
    page.goto("/profile/")
    editor = visitor.by_test_id("profile-text")
    editor.press("Control+End")
    editor.press_sequentially("\nAvoids:\n- no horror or romance", delay=10)
    line = page.locator('[data-testid="understood-line"]')
    line.first.wait_for()
    reading = "Avoids · acts on: Horror, Romance (categories)"
    assert line.get_by_test_id("line-reading").inner_text() == reading
    # A switch for each label, before anything is saved.
    switches = line.get_by_test_id("label-switch")
    assert sorted(switches.evaluate_all("els => els.map(e => e.dataset.label)")) == sorted(named)
    assert profile_for(reader).revision == 1, "a preview saves nothing"

    visitor.by_test_id("profile-save").click()
    page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
    visitor.by_test_id("nav-for-you").click()
    test_browser.wait_for_page(visitor, "/for-you/")
    found = Item.objects.in_bulk(test_browser.listed_ids(visitor))
    assert found and not [i for i in found.values() if named & set(i.categories)]
