"""The profile page: how lines were understood, editing, conflicts, undo, export, import."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profiles.services import profile_for
from tests.factories import profile_write_text

PAGE = reverse("profiles:profile")
EDIT = reverse("profiles:edit")


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def texts(user) -> list[str]:
    return list(profile_for(user).statements.order_by("position").values_list("text", flat=True))


@pytest.mark.django_db
class TestProfilePage:
    def test_needs_a_login(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_empty_profile_invites_typing(self, signed_in):
        assert "Your profile is empty" in signed_in.get(PAGE).content.decode()

    def test_shows_how_each_line_was_understood(self, signed_in, owner):
        profile_write_text(
            user=owner, text="Likes:\n- space opera\n- not into <b>gore</b>", base_revision=0
        )
        page = signed_in.get(PAGE).content.decode()
        assert 'data-position="1" data-polarity="avoid"' in page
        assert "not into &lt;b&gt;gore&lt;/b&gt;" in page
        assert "<b>gore</b>" not in page
        assert "About “&lt;b&gt;gore&lt;/b&gt;”" in page  # what the line is about, unnegated


@pytest.mark.django_db
class TestEditing:
    def test_save_makes_a_revision(self, signed_in, owner):
        response = signed_in.post(
            EDIT, {"text": "Likes:\n- jazz\nAvoids:\n- opera", "base_revision": 0}, follow=True
        )
        assert "Your profile is saved." in response.content.decode()
        assert texts(owner) == ["jazz", "opera"]

    def test_a_stale_form_is_refused_and_keeps_what_was_typed(self, signed_in, owner):
        profile_write_text(user=owner, text="jazz", base_revision=0)
        response = signed_in.post(EDIT, {"text": "my careful edit", "base_revision": 0})
        assert response.status_code == 409
        page = response.content.decode()
        assert "Your profile changed in the meantime" in page
        assert "my careful edit" in page
        assert texts(owner) == ["jazz"]

    def test_bad_text_is_explained_beside_the_box(self, signed_in, owner):
        response = signed_in.post(EDIT, {"text": "jazz\n" + "y" * 301, "base_revision": 0})
        assert response.status_code == 400
        assert "line 2: this statement is 301 characters long" in response.content.decode()
        assert profile_for(owner).revision == 0

    @pytest.mark.parametrize("data", [{}, {"text": "jazz"}, {"text": "jazz", "base_revision": "x"}])
    def test_malformed_posts_are_400_not_500(self, signed_in, data):
        assert signed_in.post(EDIT, data).status_code == 400

    def test_undo(self, signed_in, owner):
        profile_write_text(user=owner, text="jazz", base_revision=0)
        profile_write_text(user=owner, text="folk", base_revision=1)
        response = signed_in.post(
            reverse("profiles:undo", args=[1]), {"base_revision": 2}, follow=True
        )
        assert "Undid: Edited the text." in response.content.decode()
        assert texts(owner) == ["jazz"]


@pytest.mark.django_db
class TestPortability:
    def test_download_json_and_text(self, signed_in, owner):
        profile_write_text(user=owner, text="Likes:\n- Kraków jazz (a little)", base_revision=0)
        response = signed_in.get(reverse("profiles:export", args=["json"]))
        assert response["Content-Disposition"] == 'attachment; filename="profile.json"'
        data = json.loads(response.content)
        assert data["statements"][0] == {
            "text": "Kraków jazz",
            "polarity": "like",
            "weight": 0.4,
            "origin": "user",
            "pinned": False,
            "evidence": [],
            "concept": "",
        }
        text = signed_in.get(reverse("profiles:export", args=["txt"])).content.decode()
        assert text == "Likes:\n- Kraków jazz (a little)\n"

    def test_upload_an_export_or_plain_text(self, signed_in, owner, other):
        profile_write_text(user=other, text="Avoids:\n- gore", base_revision=0)
        from profiles.services import profile_export

        exported = json.dumps(profile_export(user=other)).encode()
        signed_in.post(
            reverse("profiles:import"),
            {"file": SimpleUploadedFile("p.json", exported), "base_revision": 0},
        )
        assert texts(owner) == ["gore"]
        signed_in.post(
            reverse("profiles:import"),
            {"file": SimpleUploadedFile("p.txt", b"jazz\nfolk"), "base_revision": 1},
        )
        assert texts(owner) == ["jazz", "folk"]

    def test_a_bad_upload_changes_nothing(self, signed_in, owner):
        response = signed_in.post(
            reverse("profiles:import"),
            {
                "file": SimpleUploadedFile(
                    "p.json", b'{"statements": [{"text": "a", "weight": 7}]}'
                ),
                "base_revision": 0,
            },
        )
        assert response.status_code == 400
        assert "weight that is not a number from 0 to 1" in response.content.decode()
        response = signed_in.post(
            reverse("profiles:import"),
            {"file": SimpleUploadedFile("p.txt", b"\xff\xfe\x00"), "base_revision": 0},
        )
        assert "not UTF-8" in response.content.decode()
        assert profile_for(owner).revision == 0


@pytest.mark.django_db
def test_regenerate_now_asks_the_engine_for_this_person(signed_in, owner):
    from profiles.signals import regeneration_requested

    asked = []

    def record(**kwargs):
        asked.append(kwargs["user_id"])

    regeneration_requested.connect(record, dispatch_uid="test-regenerate")
    try:
        response = signed_in.post(reverse("profiles:regenerate"), follow=True)
    finally:
        regeneration_requested.disconnect(dispatch_uid="test-regenerate")
    assert asked == [owner.pk]
    assert "will be written again from your ratings" in response.content.decode()


@pytest.mark.django_db
def test_history_shows_what_each_revision_changed(signed_in, owner):
    profile_write_text(user=owner, text="jazz\nfolk", base_revision=0)
    profile_write_text(user=owner, text="jazz (a little)\nblues\nopera", base_revision=1)
    page = signed_in.get(PAGE).content.decode()
    assert '<span class="label" data-testid="revision-label">Edited the text' in page
    assert "1 added, 0 removed, 2 changed" in page
    assert "~ folk → blues" in page
    assert "(counted fully, now a little)" in page
    assert "+ opera" in page


@pytest.mark.django_db
class TestHistory:
    def test_each_revision_is_labelled_by_what_happened(self, signed_in, owner):
        from profiles.services import StepStrength, profile_edit

        profile_write_text(user=owner, text="Likes:\n- Gory slasher horror", base_revision=0)
        profile_edit(user=owner, edit=StepStrength(0, -1))
        labels = [r.label for r in profile_for(owner).revisions.all()]
        assert labels[0].startswith("Less of “Gory slasher horror”")
        page = signed_in.get(PAGE).content.decode()
        assert "Less of “Gory slasher horror”" in page

    def test_the_history_is_paged(self, signed_in, owner):
        for number in range(12):
            profile_write_text(user=owner, text=f"Likes:\n- topic {number}", base_revision=number)
        first = signed_in.get(PAGE).content.decode()
        assert first.count('data-testid="revision"') == 10
        assert 'data-number="12"' in first and 'data-number="2"' not in first
        assert "?history=2#revisions" in first
        second = signed_in.get(PAGE, {"history": 2}).content.decode()
        assert second.count('data-testid="revision"') == 2
        assert 'data-number="2"' in second and 'data-number="1"' in second
        assert "1 added, 0 removed" in second.split('data-number="1"')[1]
