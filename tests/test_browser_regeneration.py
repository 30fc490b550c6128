""" "Write it again" in a real headless Chromium: previewed, applied, undone.

A person whose ratings no longer hold one of their lines presses "Write it
again from my ratings", reads what would change beside their profile (still
at the same revision), applies it as one revision and takes it back with one
Undo. Shares tests/test_browser.py's Chromium, live server and signed-in
tabs (and its skip when Chromium or playwright is missing).
"""

import pytest

from engine.profiles import profile_generate
from profiles.models import Interaction
from profiles.services import profile_drafts, profile_for
from tests import test_browser

# tests/test_browser.py's fixtures, used here under the same names.
browser = test_browser.browser
visit = test_browser.visit

pytestmark = pytest.mark.browser


def test_write_it_again_is_previewed_applied_and_undone_in_one_step(visit, readers):
    reader = readers["alice"]
    reader.is_active = True
    reader.save(update_fields=["is_active"])
    profile_generate(user_id=reader.pk)
    gone = next(d for d in profile_drafts(profile_for(reader)) if d.polarity == "like")
    Interaction.objects.filter(user=reader, item_id__in=gone.evidence).delete()
    before = [d.text for d in profile_drafts(profile_for(reader))]

    visitor = visit(reader)
    page = visitor.page
    page.goto("/profile/")
    visitor.by_test_id("regenerate").click()
    page.wait_for_selector('[data-testid="regeneration-preview"][data-changed="true"]')
    changes = visitor.by_test_id("regeneration-change").all_inner_texts()
    assert f"“{gone.text}” would go: your ratings no longer make that group." in changes
    assert visitor.by_test_id("regeneration-current").inner_text().count("\n") + 1 == len(before)
    assert (
        visitor.by_test_id("profile-revision").get_attribute("data-revision") == "1"
    )  # nothing saved yet
    assert profile_for(reader).revision == 1

    visitor.by_test_id("regeneration-apply").click()
    page.wait_for_selector('[data-testid="profile-revision"][data-revision="2"]')
    assert "Written again from your ratings" in visitor.by_test_id("regenerated").inner_text()
    assert gone.text not in visitor.by_test_id("statement-text").all_inner_texts()

    visitor.by_test_id("regeneration-undo").click()
    page.wait_for_selector('[data-testid="profile-revision"][data-revision="3"]')
    assert visitor.by_test_id("statement-text").all_inner_texts() == before
