"""The label a line acts on, switched in a real headless Chromium before saving.

A person types an Avoids line that names a category, sees "acts on: Horror
(category)" beside it in the preview, switches the label off with one click,
saves, then edits another line: the choice stays with its line. Shares
tests/test_browser.py's Chromium, live server and signed-in tabs (and its
skip when Chromium or playwright is missing).
"""

import pytest

from profiles.models import Statement
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
