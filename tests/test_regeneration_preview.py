""" "Write it again", previewed: nothing saved before Apply, one revision, one undo.

And no stale write: a preview computed on an older revision never lands.
"""

import pytest
from django.core import signing
from django.urls import reverse

from engine.profiles import profile_generate
from engine.regeneration import TOKEN_SALT, regeneration_apply, regeneration_preview
from profiles.models import Interaction, ProfileRevision
from profiles.services import (
    AddLines,
    ChangeLine,
    ProfileConflict,
    RestoreRevision,
    StatementDraft,
    generated_changes,
    profile_drafts,
    profile_edit,
    profile_for,
    same_statements,
)
from recsite.errors import ApplicationError
from tests.api import is_error, signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
API = "/api/profile/regenerate/"


def stored(user) -> tuple:
    """Everything a preview must leave as it was."""
    profile = profile_for(user)
    return (
        profile.revision,
        profile.generated_at,
        profile.interactions_at_generation,
        ProfileRevision.objects.filter(profile=profile).count(),
        [d.snapshot() for d in profile_drafts(profile)],
    )


def lose_the_group_of_first_like(user):
    """Take back every rating behind the person's first generated Likes line."""
    line = next(d for d in profile_drafts(profile_for(user)) if d.polarity == "like")
    Interaction.objects.filter(user=user, item_id__in=line.evidence).delete()
    return line


@pytest.fixture
def alice(readers):
    """A sample reader, able to sign in (imported people cannot until activated)."""
    alice = readers["alice"]
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    return alice


class TestPreview:
    def test_a_preview_saves_nothing(self, alice):
        before = stored(alice)
        preview = regeneration_preview(user=alice)
        assert preview.changed and preview.base_revision == 0
        assert preview.current == [] and preview.proposed
        assert all(d.origin == "generated" for d in preview.proposed)
        assert len(preview.changes.added) == len(preview.proposed)
        assert stored(alice) == before

    def test_apply_writes_the_previewed_lines_as_one_labelled_revision(self, alice):
        preview = regeneration_preview(user=alice)
        applied = regeneration_apply(user=alice, token=preview.token)
        assert applied.revision.number == 1
        assert applied.revision.cause == ProfileRevision.Cause.GENERATION
        assert applied.revision.label == preview.label
        assert preview.label == f"Written from your ratings: {len(preview.proposed)} lines."
        assert same_statements(profile_drafts(profile_for(alice)), preview.proposed)
        assert profile_for(alice).generated_at is not None
        assert ProfileRevision.objects.filter(profile__user=alice).count() == 1

    def test_undo_takes_the_whole_regeneration_back_in_one_step(self, alice):
        profile_generate(user_id=alice.pk)
        lose_the_group_of_first_like(alice)
        before = profile_drafts(profile_for(alice))
        preview = regeneration_preview(user=alice)
        assert preview.changed
        applied = regeneration_apply(user=alice, token=preview.token)
        profile_edit(user=alice, edit=applied.undo, base_revision=applied.revision.number)
        assert same_statements(profile_drafts(profile_for(alice)), before)

    def test_undoing_a_first_regeneration_leaves_the_empty_profile(self, alice):
        applied = regeneration_apply(user=alice, token=regeneration_preview(user=alice).token)
        assert applied.undo == RestoreRevision(0)
        profile_edit(user=alice, edit=applied.undo, base_revision=applied.revision.number)
        assert profile_drafts(profile_for(alice)) == []

    def test_a_line_whose_group_is_gone_is_named_as_removed_in_words(self, alice):
        profile_generate(user_id=alice.pk)
        line = lose_the_group_of_first_like(alice)
        preview = regeneration_preview(user=alice)
        assert line.embedded_text in [d.embedded_text for d in preview.changes.removed]
        assert f"“{line.text}” would go: your ratings no longer make that group." in (
            preview.sentences()
        )
        assert preview.label.startswith("Written again from your ratings: ")
        assert "−1 line" in preview.label

    def test_lines_the_person_wrote_stay_in_the_preview(self, alice):
        profile_generate(user_id=alice.pk)
        revision = profile_edit(user=alice, edit=ChangeLine(0, text="slow space operas"))
        preview = regeneration_preview(user=alice)
        assert "slow space operas" in [d.text for d in preview.proposed if d.origin == "user"]
        assert revision.revision.number == preview.base_revision

    def test_nothing_new_is_said_so_and_applying_writes_nothing(self, alice):
        profile_generate(user_id=alice.pk)
        preview = regeneration_preview(user=alice)
        assert not preview.changed and not preview.changes.added and not preview.changes.removed
        applied = regeneration_apply(user=alice, token=preview.token)
        assert applied.revision is None and applied.undo is None
        assert profile_for(alice).revision == 1


class TestChangesInWords:
    """generated_changes: a line keeps its identity by its words, or by its group."""

    @staticmethod
    def line(words, evidence, origin="generated"):
        return StatementDraft(words, "like", 1.0, words, origin=origin, evidence=tuple(evidence))

    def test_new_words_for_most_of_the_same_items_are_a_rewording(self):
        old = [self.line("Space opera", [1, 2, 3, 4]), self.line("Cozy mystery", [7, 8])]
        new = [
            self.line("Slow-burn space opera", [1, 2, 3, 5]),
            self.line("Gory slasher horror", [20, 21]),
            self.line("my own line", [7, 8], origin="user"),
        ]
        changes = generated_changes(old, new)
        assert [(a.text, b.text) for a, b in changes.reworded] == [
            ("Space opera", "Slow-burn space opera")
        ]
        assert [d.text for d in changes.added] == ["Gory slasher horror"]
        assert [d.text for d in changes.removed] == ["Cozy mystery"]
        assert changes.kept == []

    def test_one_old_line_is_reworded_once(self):
        old = [self.line("Space opera", [1, 2])]
        new = [self.line("Space battles", [1, 2]), self.line("Space travel", [1, 2])]
        changes = generated_changes(old, new)
        assert len(changes.reworded) == 1 and len(changes.added) == 1


class TestStalePreview:
    def test_a_preview_never_overwrites_a_newer_edit(self, alice):
        profile_generate(user_id=alice.pk)
        lose_the_group_of_first_like(alice)
        preview = regeneration_preview(user=alice)
        profile_edit(user=alice, edit=ChangeLine(0, text="sea stories"), base_revision=1)
        edited = stored(alice)
        with pytest.raises(ProfileConflict) as conflict:
            regeneration_apply(user=alice, token=preview.token)
        assert conflict.value.extra == {"base_revision": 1, "current_revision": 2}
        assert stored(alice) == edited

    def test_a_token_not_of_this_site_or_of_another_person_is_refused(self, alice, readers):
        bob = next(user for name, user in readers.items() if name != "alice")
        token = regeneration_preview(user=bob).token
        forged = signing.dumps({"user": alice.pk, "base": 0, "drafts": []}, salt="other")
        for bad in (token, forged, "nonsense"):
            with pytest.raises(ApplicationError) as error:
                regeneration_apply(user=alice, token=bad)
            assert error.value.extra == {"field": "token"} and error.value.status_code == 400
        assert profile_for(alice).revision == 0
        assert signing.loads(token, salt=TOKEN_SALT)["user"] == bob.pk


@pytest.fixture
def browser(client, alice):
    client.force_login(alice)
    return client


class TestPage:
    def test_the_button_shows_the_changes_beside_the_profile_saving_nothing(self, browser, alice):
        page = browser.get(reverse("profiles:profile")).content.decode()
        assert reverse("engine:regeneration_preview") in page
        before = stored(alice)
        fragment = browser.post(reverse("engine:regeneration_preview"), **HTMX)
        html = fragment.content.decode()
        assert fragment.status_code == 200 and 'data-changed="true"' in html
        assert 'data-testid="regeneration-apply"' in html and "New Likes line" in html
        assert 'data-testid="regeneration-current"' in html
        assert stored(alice) == before
        full = browser.post(reverse("engine:regeneration_preview"))
        assert (
            full.status_code == 200 and "<h1>Write my profile again</h1>" in full.content.decode()
        )

    def test_apply_then_undo_from_the_profile_page(self, browser, alice):
        preview = regeneration_preview(user=alice)
        response = browser.post(reverse("engine:regeneration_apply"), {"token": preview.token})
        assert response.status_code == 302 and response.url == reverse("profiles:profile")
        page = browser.get(reverse("profiles:profile")).content.decode()
        assert preview.label in page and 'data-testid="regeneration-undo"' in page
        assert profile_for(alice).revision == 1
        browser.post(reverse("profiles:undo", args=[0]), {"base_revision": 1})
        assert profile_for(alice).revision == 2 and profile_drafts(profile_for(alice)) == []
        # The undo is offered once.
        assert (
            'data-testid="regeneration-undo"'
            not in browser.get(reverse("profiles:profile")).content.decode()
        )

    def test_a_stale_apply_is_a_409_with_a_fresh_preview(self, browser, alice):
        token = regeneration_preview(user=alice).token
        profile_edit(user=alice, edit=AddLines(likes=("sea stories",)), base_revision=0)
        response = browser.post(reverse("engine:regeneration_apply"), {"token": token}, **HTMX)
        html = response.content.decode()
        assert response.status_code == 409
        assert "Your profile changed since that preview: here is what" in html
        assert ">Now</h4>" in html and 'data-testid="regeneration-apply"' in html
        assert profile_for(alice).revision == 1

    def test_a_bad_token_is_a_400(self, browser, alice):
        for data in ({"token": "nonsense"}, {}):
            response = browser.post(reverse("engine:regeneration_apply"), data)
            assert response.status_code == 400
        assert profile_for(alice).revision == 0


class TestApi:
    def test_preview_apply_and_undo(self, alice):
        api = signed_in(alice)
        preview = api.post(API + "preview/")
        assert preview.status_code == 200
        body = preview.json()
        assert body["changed"] and body["base_revision"] == 0 and body["summary"]
        assert len(body["changes"]["added"]) == len(body["proposed"]) and body["current"] == []
        assert profile_for(alice).revision == 0
        applied = api.post(API + "apply/", {"token": body["token"]}, format="json").json()
        assert applied["revision"] == 1 and applied["undo"] == {"number": 0, "base_revision": 1}
        assert ProfileRevision.objects.get(profile__user=alice).label == body["label"]
        undone = api.post("/api/profile/undo/", applied["undo"], format="json")
        assert undone.status_code == 200 and undone.json()["statements"] == []

    def test_a_stale_preview_is_a_409_and_writes_nothing(self, alice):
        api = signed_in(alice)
        token = api.post(API + "preview/").json()["token"]
        api.put(
            "/api/profile/", {"text": "Likes:\n- sea stories", "base_revision": 0}, format="json"
        )
        response = api.post(API + "apply/", {"token": token}, format="json")
        assert is_error(response, 409)
        assert response.json()["extra"]["current_revision"] == 1
        assert [d.text for d in profile_drafts(profile_for(alice))] == ["sea stories"]

    def test_bad_tokens_are_400s_naming_the_field(self, alice):
        api = signed_in(alice)
        for body in ({"token": "x" * 50}, {}, {"token": 7}):
            response = api.post(API + "apply/", body, format="json")
            assert is_error(response, 400), body
        assert profile_for(alice).revision == 0
