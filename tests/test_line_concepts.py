"""The label a line acts on, as the person chose it: stored with the line, kept
through edits of other lines, honoured by scoring; tags that act like categories.

Against the embedded sample catalog (books; tags such as "maritime" on five
of them) and the real encoder.
"""

import json

import pytest
from django.urls import reverse

from engine import catalog_cache, concepts, recommend
from engine.person import ListOptions, person_read
from profiles.models import Statement
from profiles.services import ChangeLine, LineChoice, ReplaceText, profile_edit, profile_for
from tests.api import is_error, signed_in
from tests.factories import profile_write_text

pytestmark = pytest.mark.django_db

STATEMENT = "/api/profile/statements/{}/"
PREVIEW = reverse("engine:profile_preview")
SAVE = reverse("profiles:edit")
HTMX = {"HTTP_HX_REQUEST": "true"}


def labels(user) -> dict[str, str]:
    """Each line's text -> the label scoring acts on."""
    return {s.text: s.label for s in person_read(user, ListOptions()).statements}


def stored(user) -> dict[str, tuple[str, str]]:
    return {
        text: (polarity, concept)
        for text, polarity, concept in Statement.objects.filter(profile__user=user).values_list(
            "text", "polarity", "concept"
        )
    }


def listed(user, k: int = 30) -> list:
    return [
        s.item
        for s in recommend.recommend_for_user(user=user, options=ListOptions(k=k), log=False).items
    ]


def edit(user, change) -> None:
    profile_edit(user=user, edit=change, base_revision=profile_for(user).revision)


class TestChosenConcept:
    def test_switched_off_the_line_acts_by_meaning_and_stays_off_through_other_edits(
        self, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking\nAvoids:\n- horror", base_revision=0)
        assert labels(owner)["horror"] == "Horror"
        edit(owner, ChangeLine(1, concept="-"))
        assert stored(owner)["horror"] == ("avoid", "-")
        assert labels(owner)["horror"] == ""

        # Another line typed in the editor: the choice stays with its line.
        text = "Likes:\n- cooking\n- travel writing\nAvoids:\n- horror"
        profile_write_text(user=owner, text=text, base_revision=profile_for(owner).revision)
        assert stored(owner)["horror"] == ("avoid", "-")
        assert labels(owner) == {"cooking": "Cooking", "travel writing": "Travel", "horror": ""}

    def test_another_label_chosen_is_acted_on(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- sea stories", base_revision=0)
        assert labels(owner)["sea stories"] == ""
        edit(owner, ChangeLine(0, concept="Travel"))
        assert labels(owner)["sea stories"] == "Travel"
        travel = [i for i in listed(owner, k=10) if "Travel" in i.categories]
        assert len(travel) >= 5, "a like acting on a label brings its items in"

    def test_new_words_read_the_line_afresh(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Avoids:\n- horror", base_revision=0)
        edit(owner, ChangeLine(0, concept="-"))
        edit(owner, ChangeLine(0, text="romance"))
        assert stored(owner)["romance"] == ("avoid", "")
        assert labels(owner)["romance"] == "Romance"

    def test_a_label_the_catalog_lacks_is_refused_by_name(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        api = signed_in(owner)
        for concept in ("Westerns", "tag:no such tag", "x" * 200):
            response = api.patch(
                STATEMENT.format(0), {"concept": concept, "base_revision": 1}, format="json"
            )
            assert is_error(response, 400), concept
            assert "concept" in json.dumps(response.json()["extra"]), concept
        assert stored(owner)["cooking"] == ("like", "")

    def test_the_api_shows_sets_and_clears_the_choice(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- sea stories", base_revision=0)
        api = signed_in(owner)
        body = api.patch(
            STATEMENT.format(0), {"concept": "tag:maritime", "base_revision": 1}, format="json"
        ).json()
        assert body["statements"][0]["concept"] == "tag:maritime"
        assert labels(owner)["sea stories"] == "tag:maritime"
        body = api.patch(STATEMENT.format(0), {"concept": "", "base_revision": 2}, format="json")
        assert body.json()["statements"][0]["concept"] == ""

    def test_the_choice_goes_out_with_an_export_and_comes_back(self, owner, sample_catalog):
        profile_write_text(user=owner, text="Avoids:\n- horror", base_revision=0)
        edit(owner, ChangeLine(0, concept="-"))
        api = signed_in(owner)
        exported = api.get("/api/profile/export/").json()
        assert exported["statements"][0]["concept"] == "-"
        api.post(
            "/api/profile/import/",
            {"profile": exported, "base_revision": profile_for(owner).revision},
            format="json",
        )
        assert stored(owner)["horror"] == ("avoid", "-")


class TestEditorChoices:
    def test_the_preview_shows_the_choice_and_saving_stores_it(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        client.force_login(owner)
        text = "Likes:\n- cooking\nAvoids:\n- horror"
        fragment = client.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert "Avoids · acts on: Horror (category)" in fragment
        assert 'data-concept-line="horror" data-concept="-"' in fragment

        choices = json.dumps({"horror": {"concept": "-"}})
        fragment = client.post(PREVIEW, {"text": text, "choices": choices}, **HTMX)
        fragment = fragment.content.decode()
        assert "Avoids · matched by meaning (your choice)" in fragment
        assert 'data-testid="concept-reset"' in fragment

        client.post(SAVE, {"text": text, "base_revision": 1, "choices": choices})
        assert stored(owner)["horror"] == ("avoid", "-")
        # Unchanged since, the line is shown with the choice and a way back.
        fragment = client.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert "matched by meaning (your choice)" in fragment

    def test_unreadable_choices_are_named_and_nothing_is_saved(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        client.force_login(owner)
        for bad in ("{", "[1]", json.dumps({"cooking": {"polarity": "maybe"}})):
            response = client.post(PREVIEW, {"text": "Likes:\n- cooking", "choices": bad}, **HTMX)
            assert response.status_code == 400 and "could not be read" in response.content.decode()
            response = client.post(
                SAVE, {"text": "Likes:\n- tea", "base_revision": 1, "choices": bad}
            )
            assert response.status_code == 400
            assert "beside the lines could not be read" in response.content.decode() or (
                "reading chosen for" in response.content.decode()
            )
        assert stored(owner) == {"cooking": ("like", "")}


class TestPolarityAgainstTheWords:
    def test_a_likes_line_that_reads_as_an_avoid_is_shown_with_a_switch(
        self, client, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        client.force_login(owner)
        text = "Likes:\n- cooking\n- tired of maritime stories"
        fragment = client.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert 'data-switch-line="tired of maritime stories" data-switch-to="like"' in fragment
        assert "typed under Likes, its words read as an avoid" in fragment

    def test_read_as_a_like_by_choice_it_stays_one_through_other_edits(self, owner, sample_catalog):
        text = "Likes:\n- cooking\n- tired of maritime stories"
        choices = {"tired of maritime stories": LineChoice(polarity="like")}
        profile_edit(user=owner, edit=ReplaceText(text, choices), base_revision=0)
        assert stored(owner)["tired of maritime stories"] == ("like", "")
        profile_write_text(user=owner, text=text + "\n- travel writing", base_revision=1)
        assert stored(owner)["tired of maritime stories"] == ("like", "")
        # Moved to the Avoids section, its words and its section agree again.
        moved = "Likes:\n- cooking\nAvoids:\n- tired of maritime stories"
        profile_write_text(user=owner, text=moved, base_revision=2)
        assert stored(owner)["tired of maritime stories"] == ("avoid", "")


class TestTagLines:
    def test_an_avoid_naming_a_common_tag_removes_its_items(self, owner, sample_catalog):
        maritime = {i.pk for i in sample_catalog.values() if "maritime" in i.tags}
        assert len(maritime) >= 5
        profile_write_text(user=owner, text="Likes:\n- ocean adventures at sea", base_revision=0)
        assert maritime & {i.pk for i in listed(owner)}
        profile_write_text(
            user=owner,
            text="Likes:\n- ocean adventures at sea\n- tired of maritime books",
            base_revision=1,
        )
        assert labels(owner)["tired of maritime books"] == "tag:maritime"
        assert not maritime & {i.pk for i in listed(owner)}

    def test_a_like_naming_a_common_tag_brings_its_items_in(self, owner, sample_catalog):
        baking = {i.pk for i in sample_catalog.values() if "baking" in i.tags}
        profile_write_text(user=owner, text="Likes:\n- big fan of baking", base_revision=0)
        assert labels(owner)["big fan of baking"] == "tag:baking"
        assert len(baking & {i.pk for i in listed(owner, k=10)}) >= 4

    def test_rare_tags_and_categories_first(self, owner, sample_catalog):
        stats = catalog_cache.catalog_stats()
        tags = catalog_cache.tag_index(stats)
        assert "maritime" in tags.values() and "gory" not in tags.values()  # 5 items, 4
        assert concepts.line_label("horror novels", stats.categories, tags=tags) == "Horror"
        assert concepts.line_label("maritime novels", stats.categories, tags=tags) == (
            "tag:maritime"
        )


def acting(user) -> dict[str, tuple[str, ...]]:
    """Each line's text -> every label scoring acts on."""
    return {s.text: s.labels for s in person_read(user, ListOptions()).statements}


class TestSeveralLabels:
    """A line naming several labels acts on each; the person can keep some."""

    LINE = "skip romance and horror"

    def test_the_preview_shows_every_label_and_a_switch_for_each(
        self, client, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        client.force_login(owner)
        text = f"Likes:\n- cooking\nAvoids:\n- {self.LINE}"
        fragment = client.post(PREVIEW, {"text": text}, **HTMX).content.decode()
        assert "Avoids · acts on: Romance, Horror (categories)" in fragment
        assert f'data-concept-line="{self.LINE}" data-concept="Horror"' in fragment
        assert f'data-concept-line="{self.LINE}" data-concept="Romance"' in fragment
        assert '<option value="Travel|Horror">Travel</option>' in fragment

        # "Don't act on Romance": the line keeps Horror, stored with it.
        choices = json.dumps({self.LINE: {"concept": "Horror"}})
        fragment = client.post(PREVIEW, {"text": text, "choices": choices}, **HTMX)
        assert "Avoids · acts on: Horror (category) (your choice)" in fragment.content.decode()
        client.post(SAVE, {"text": text, "base_revision": 1, "choices": choices})
        assert stored(owner)[self.LINE] == ("avoid", "Horror")
        assert acting(owner)[self.LINE] == ("Horror",)

        # Another line typed: the choice stays with its line.
        text = f"Likes:\n- cooking\n- travel writing\nAvoids:\n- {self.LINE}"
        profile_write_text(user=owner, text=text, base_revision=profile_for(owner).revision)
        assert stored(owner)[self.LINE] == ("avoid", "Horror")

    def test_the_api_reads_sets_and_checks_several_labels(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text=f"Avoids:\n- {self.LINE}", base_revision=0)
        assert acting(owner)[self.LINE] == ("Romance", "Horror")
        client.force_login(owner)
        body = client.post(
            "/api/recommendations/preview/",
            {"text": f"Avoids:\n- {self.LINE}"},
            content_type="application/json",
        ).json()
        assert [(s["labels"], s["reading"]) for s in body["statements"]] == [
            (["Romance", "Horror"], "Avoids · acts on: Romance, Horror (categories)")
        ]
        api = signed_in(owner)
        response = api.patch(
            STATEMENT.format(0), {"concept": "Mystery | Horror", "base_revision": 1}, format="json"
        )
        assert response.json()["statements"][0]["concept"] == "Mystery|Horror"
        assert acting(owner)[self.LINE] == ("Mystery", "Horror")
        # One label of several the catalog lacks: refused by name, nothing stored.
        response = api.patch(
            STATEMENT.format(0), {"concept": "Horror|Westerns", "base_revision": 2}, format="json"
        )
        assert is_error(response, 400) and "Westerns" in json.dumps(response.json())
        assert stored(owner)[self.LINE] == ("avoid", "Mystery|Horror")
