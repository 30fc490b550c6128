"""The profile editor: live preview, line-by-line edits, regeneration progress, onboarding."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engine.models import RecommendationLog
from profiles.models import Profile, ProfileRevision, Statement
from profiles.services import profile_for
from profiles.views import REGENERATION_KEY
from tests.factories import profile_write_text

PAGE = reverse("profiles:profile")
PREVIEW = reverse("engine:profile_preview")
STATUS = reverse("profiles:regeneration_status")
WELCOME = reverse("profiles:welcome")
HTMX = {"HTTP_HX_REQUEST": "true"}
MYSTERY_AND_HORROR = "Likes:\n- horror\n- mysteries"


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def lines(user) -> list[tuple[str, str, float, bool]]:
    return list(
        Statement.objects.filter(profile__user=user)
        .order_by("position")
        .values_list("text", "polarity", "weight", "pinned")
    )


def stored_state() -> tuple:
    return (
        ProfileRevision.objects.count(),
        list(Statement.objects.values_list("text", "polarity", "weight")),
        RecommendationLog.objects.count(),
    )


@pytest.mark.django_db
class TestPreview:
    def test_an_avoid_line_shows_what_leaves_and_why_and_saves_nothing(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(user=owner, text=MYSTERY_AND_HORROR, base_revision=0)
        before = stored_state()
        response = signed_in.post(
            PREVIEW, {"text": MYSTERY_AND_HORROR + "\nAvoids:\n- horror"}, **HTMX
        )
        fragment = response.content.decode()
        assert response.status_code == 200 and "<html" not in fragment
        assert 'data-testid="preview-left"' in fragment
        assert "because of <mark>“horror”</mark>" in fragment
        assert '<span class="badge avoid">Avoids</span> horror' in fragment
        assert stored_state() == before

    def test_a_new_like_line_marks_what_enters(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cozy village mysteries", base_revision=0)
        fragment = signed_in.post(
            PREVIEW, {"text": "Likes:\n- cozy village mysteries\n- cooking"}, **HTMX
        ).content.decode()
        assert 'data-change="entered"' in fragment
        assert "because of <mark>“cooking”</mark>" in fragment

    def test_each_new_line_shows_how_it_was_read_before_saving(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        text = "Likes:\n- cooking\n- nothing gory\n- big fan of history books\n-\n•"
        fragment = signed_in.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert fragment.count('data-testid="understood-line"') == 2
        assert 'data-polarity="avoid" data-label=""' in fragment
        assert "Avoids · matched by meaning" in fragment
        assert "Likes · acts on: History (category)" in fragment

    def test_a_line_read_by_its_header_against_its_words_offers_a_switch(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        text = "Likes:\n- cooking\nAvoids:\n- I love jump scares\n- nothing gory"
        fragment = signed_in.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert fragment.count('data-testid="line-switch"') == 1
        assert 'data-switch-line="I love jump scares" data-switch-to="like"' in fragment
        assert "Read as Likes instead" in fragment

    def test_a_line_that_matches_nothing_in_particular_is_flagged(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        text = "Likes:\n- cooking\n- good stuff\n- haunted house horror\n- space battles"
        fragment = signed_in.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert fragment.count('data-testid="line-unclear"') == 1
        flagged = fragment.split('data-testid="line-unclear"')[0].rsplit("<li", 1)[1]
        assert "good stuff" in flagged and "this line matches no item clearly" in fragment

    def test_unchanged_text_says_so(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        fragment = signed_in.post(PREVIEW, {"text": "Likes:\n- cooking"}, **HTMX).content.decode()
        assert 'data-testid="preview-unchanged"' in fragment
        assert 'data-change="same"' in fragment

    def test_bad_text_names_the_line(self, signed_in, sample_catalog):
        fragment = signed_in.post(
            PREVIEW, {"text": "Likes:\n- fine\n- " + "x" * 400}, **HTMX
        ).content.decode()
        assert 'data-testid="preview-error"' in fragment and "line 3:" in fragment

    def test_typed_html_is_escaped(self, signed_in, sample_catalog):
        fragment = signed_in.post(
            PREVIEW, {"text": "Likes:\n- <script>x()</script> cooking"}, **HTMX
        ).content.decode()
        assert "<script>x()" not in fragment
        assert "&lt;script&gt;x()&lt;/script&gt; cooking" in fragment

    def test_needs_a_login(self, client):
        response = client.post(PREVIEW, {"text": "jazz"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
class TestEditorPage:
    def test_the_textarea_asks_for_a_debounced_preview(self, signed_in):
        page = signed_in.get(PAGE).content.decode()
        assert f'hx-post="{PREVIEW}" hx-trigger="keyup changed delay:500ms"' in page
        assert 'id="preview"' in page

    def test_shows_only_the_persons_own_profile(self, signed_in, owner, other):
        profile_write_text(user=other, text="Likes:\n- the other one's secret", base_revision=0)
        profile_write_text(user=owner, text="Likes:\n- my own line", base_revision=0)
        page = signed_in.get(PAGE).content.decode()
        assert "my own line" in page and "secret" not in page

    def test_each_line_has_an_anchor_and_controls(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz\nAvoids:\n- opera", base_revision=0)
        page = signed_in.get(PAGE).content.decode()
        assert 'id="line-0"' in page and 'id="line-1"' in page
        assert 'for="polarity-1"' in page and 'for="weight-1"' in page
        assert reverse("profiles:statement_delete", args=[1]) in page


@pytest.mark.django_db
class TestLineByLine:
    def update(self, client, position, **data):
        data.setdefault("base_revision", 1)
        return client.post(reverse("profiles:statement_update", args=[position]), data)

    def test_polarity_strength_and_pin_are_saved_as_a_revision(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz\n- opera", base_revision=0)
        response = self.update(signed_in, 1, polarity="avoid", weight="0.4", pinned="1")
        assert response["Location"] == f"{PAGE}#line-1"
        assert lines(owner) == [("jazz", "like", 1.0, False), ("opera", "avoid", 0.4, True)]
        assert profile_for(owner).revision == 2

    def test_a_line_made_an_avoid_moves_to_the_avoids_and_the_page_follows_it(
        self, signed_in, owner
    ):
        profile_write_text(user=owner, text="Likes:\n- jazz\n- opera", base_revision=0)
        response = self.update(signed_in, 0, polarity="avoid", weight="1")
        assert response["Location"] == f"{PAGE}#line-1"
        assert lines(owner) == [("opera", "like", 1.0, False), ("jazz", "avoid", 1.0, False)]

    def test_an_unchanged_line_writes_no_revision(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz", base_revision=0)
        response = self.update(signed_in, 0, polarity="like", weight="1")
        assert "Nothing to change" in signed_in.get(response["Location"]).content.decode()
        assert profile_for(owner).revision == 1

    def test_a_stale_form_is_refused(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz", base_revision=0)
        profile_write_text(user=owner, text="Likes:\n- jazz\n- blues", base_revision=1)
        response = self.update(signed_in, 0, polarity="avoid", weight="1", base_revision=1)
        page = signed_in.get(response["Location"]).content.decode()
        assert "Your profile changed in the meantime" in page
        assert lines(owner)[0] == ("jazz", "like", 1.0, False)

    def test_bad_values_are_explained(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz", base_revision=0)
        response = self.update(signed_in, 0, polarity="like", weight="3")
        assert "Strength is a number from 0 to 1" in signed_in.get(PAGE).content.decode()
        assert response.status_code == 302 and profile_for(owner).revision == 1

    def test_delete_and_undo_bring_it_back(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz\n- opera", base_revision=0)
        signed_in.post(reverse("profiles:statement_delete", args=[0]), {"base_revision": 1})
        assert [line[0] for line in lines(owner)] == ["opera"]
        signed_in.post(reverse("profiles:undo", args=[1]), {"base_revision": 2})
        assert [line[0] for line in lines(owner)] == ["jazz", "opera"]

    def test_a_missing_line_is_a_message_not_a_500(self, signed_in, owner):
        response = self.update(signed_in, 7, polarity="like", weight="1", base_revision=0)
        assert "That line is not in your profile any more" in signed_in.get(PAGE).content.decode()
        assert response.status_code == 302


@pytest.mark.django_db
class TestRegenerationProgress:
    """The line says only what is true: queued, being written, slow, done at a time."""

    def test_asking_shows_a_polling_progress_line(self, signed_in, owner):
        fragment = signed_in.post(reverse("profiles:regenerate"), **HTMX).content.decode()
        assert 'data-state="pending"' in fragment
        assert f'hx-get="{STATUS}" hx-trigger="every 2s"' in fragment
        assert "Waiting: your profile will be written again" in fragment
        page = signed_in.get(PAGE).content.decode()
        assert 'data-state="pending"' in page

    def test_the_line_says_done_once_the_worker_has_run(self, signed_in, owner):
        from engine.profiles import profile_generate

        signed_in.post(reverse("profiles:regenerate"), **HTMX)
        assert 'data-state="pending"' in signed_in.get(STATUS, **HTMX).content.decode()
        profile_generate(user_id=owner.pk)  # what the worker runs
        fragment = signed_in.get(STATUS, **HTMX).content.decode()
        assert 'data-state="done"' in fragment and "hx-trigger" not in fragment
        done_at = profile_for(owner).generated_at.strftime("%H:%M")
        assert f"Done at {done_at} UTC" in fragment
        assert 'data-state="idle"' in signed_in.get(STATUS, **HTMX).content.decode()

    def test_the_request_is_stored_not_only_queued(self, signed_in, owner):
        before = timezone.now()
        signed_in.post(reverse("profiles:regenerate"), **HTMX)
        assert profile_for(owner).regeneration_requested_at >= before
        # A new browser (no session) still sees that it is queued.
        signed_in.cookies.clear()
        signed_in.force_login(owner)
        assert 'data-state="pending"' in signed_in.get(STATUS, **HTMX).content.decode()

    def test_the_line_says_being_written_while_a_worker_holds_the_person_s_lock(
        self, signed_in, owner
    ):
        from engine.profiles import with_user_lock

        signed_in.post(reverse("profiles:regenerate"), **HTMX)
        fragment = with_user_lock(owner.pk, lambda: signed_in.get(STATUS, **HTMX).content.decode())
        assert 'data-state="writing"' in fragment and "Being written now" in fragment
        assert 'hx-trigger="every 2s"' in fragment
        assert 'data-state="pending"' in signed_in.get(STATUS, **HTMX).content.decode()

    def test_a_missing_worker_is_reported_instead_of_spinning_forever(self, signed_in, owner):
        asked = timezone.now() - timedelta(minutes=5)
        profile_for(owner)
        Profile.objects.filter(user=owner).update(regeneration_requested_at=asked)
        session = signed_in.session
        session[REGENERATION_KEY] = asked.isoformat()
        session.save()
        fragment = signed_in.get(STATUS, **HTMX).content.decode()
        assert (
            'data-state="slow"' in fragment and "in the background is busy or stopped" in fragment
        )
        # Still true on the next look, and still watched (less often).
        fragment = signed_in.get(STATUS, **HTMX).content.decode()
        assert 'data-state="slow"' in fragment and 'hx-trigger="every 10s"' in fragment
        assert f"Still waiting since {asked.strftime('%H:%M')} UTC" in fragment


@pytest.mark.django_db
class TestOnboarding:
    def test_needs_a_login(self, client):
        response = client.get(WELCOME)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_offers_examples(self, signed_in):
        page = signed_in.get(WELCOME).content.decode()
        assert 'placeholder="Slow-burn science fiction about first contact' in page
        assert 'for="id_likes"' in page and 'for="id_avoids"' in page

    def test_typed_lines_give_recommendations_at_once(self, signed_in, owner, sample_catalog):
        response = signed_in.post(
            WELCOME,
            {"likes": "home cooking and recipes\n\n", "avoids": "horror", "base_revision": 0},
        )
        assert response["Location"] == reverse("engine:for_you")
        assert lines(owner) == [
            ("home cooking and recipes", "like", 1.0, False),
            ("horror", "avoid", 1.0, False),
        ]
        page = signed_in.get(response["Location"]).content.decode()
        assert "Here is your first list" in page
        assert "<mark>“home cooking and recipes”</mark>" in page
        assert 'data-testid="onboarding-invite"' not in page

    def test_lines_are_added_to_an_existing_profile(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- jazz", base_revision=0)
        signed_in.post(WELCOME, {"likes": "blues", "avoids": "", "base_revision": 1})
        assert [line[0] for line in lines(owner)] == ["jazz", "blues"]

    def test_nothing_typed_is_explained(self, signed_in, owner):
        response = signed_in.post(WELCOME, {"likes": " ", "avoids": "", "base_revision": 0})
        assert response.status_code == 400
        assert "Type at least one thing" in response.content.decode()
        assert profile_for(owner).revision == 0

    def test_a_line_too_long_names_its_box_and_line(self, signed_in, owner):
        response = signed_in.post(
            WELCOME, {"likes": "jazz\n" + "x" * 301, "avoids": "", "base_revision": 0}
        )
        assert response.status_code == 400
        assert "Line 2 is 301 characters long" in response.content.decode()
