"""Labels read from the catalog items nearest a line (engine.concepts.item_vote).

The vote itself is plain numpy and tested on made-up neighbours; how the site
reads lines with it is tested against the embedded sample book catalog, its
stored item vectors (pgvector) and the real encoder.
"""

import numpy as np
import pytest
from django.urls import reverse

from engine import catalog_cache, concepts, recommend, scoring
from engine.person import ListOptions, person_read
from profiles.parser import parse_statement
from profiles.services import ChangeLine, profile_edit, profile_for
from tests.factories import profile_write_text

INDEX = scoring.category_index(["Mystery", "Romance", "Horror", "Cooking"])
SHARES = {"mystery": 0.1, "romance": 0.1, "horror": 0.1, "cooking": 0.5}


def neighbours(*labels: str, similarity: float = 0.5) -> concepts.Neighbours:
    return concepts.Neighbours(
        np.full(len(labels), similarity), [(label,) for label in labels], SHARES
    )


class TestItemVote:
    def test_nearest_items_that_agree_give_their_label(self):
        found = concepts.item_vote(neighbours(*["Mystery"] * 18, "Romance", "Horror"), INDEX)
        assert found == concepts.LabelMatch(label="Mystery")

    def test_a_split_vote_is_shown_not_acted_on(self):
        found = concepts.item_vote(neighbours(*["Mystery"] * 10, *["Romance"] * 10), INDEX)
        assert found.label == "" and found.near in {"Mystery", "Romance"}

    def test_a_label_the_catalog_is_full_of_needs_more_than_its_share(self):
        # Cooking is half the catalog: 70% of the vote is only 20 points over chance.
        found = concepts.item_vote(neighbours(*["Cooking"] * 14, *["Horror"] * 6), INDEX)
        assert found.label == ""

    def test_items_far_from_the_line_give_nothing(self):
        far = neighbours(*["Mystery"] * 20, similarity=concepts.VOTE_MIN_SIMILARITY - 0.05)
        assert concepts.item_vote(far, INDEX) == concepts.LabelMatch()
        assert concepts.item_vote(None, INDEX) == concepts.LabelMatch()


def label_of(line: str) -> str:
    stats = catalog_cache.catalog_stats()
    topic = parse_statement(line).embedded_text
    return concepts.line_label(
        topic, stats.categories, nearest=catalog_cache.line_neighbours(stats)
    )


@pytest.mark.django_db
class TestLinesReadFromTheCatalog:
    def test_a_paraphrase_without_the_label_word_reads_the_label(self, sample_catalog):
        assert label_of("bedtime stories for toddlers") == "Children's"
        assert label_of("ghost stories") == "Horror"

    def test_a_line_about_what_the_catalog_lacks_gets_no_label(self, sample_catalog):
        assert label_of("quantum computing courses") == ""
        assert label_of("jazz records") == ""
        assert label_of("hip-hop albums") == ""

    @pytest.mark.xfail(
        strict=True,
        reason="nothing in the sample catalog is near it (the nearest item's cosine is "
        "under the vote's 0.4 floor) and its words are far from Mystery's name; Mystery's "
        "items' centred centroid is its nearest (0.25, margin 0.15), but reading that "
        "labels more tuned lines that should get none than it reads right "
        "(bench/label_prototypes.py); fails loudly once it reads",
    )
    def test_cosy_village_sleuths_read_as_mystery(self, sample_catalog):
        assert label_of("cosy village sleuths") == "Mystery"

    def test_a_like_acts_on_the_label_the_items_read(self, owner, sample_catalog):
        children = {i.pk for i in sample_catalog.values() if "Children's" in i.categories}
        profile_write_text(
            user=owner, text="Likes:\n- bedtime stories for toddlers", base_revision=0
        )
        read = {s.text: s.label for s in person_read(owner, ListOptions()).statements}
        assert read["bedtime stories for toddlers"] == "Children's"
        listed = recommend.recommend_for_user(user=owner, options=ListOptions(k=5), log=False)
        assert {entry.item.pk for entry in listed.items} <= children

    def test_an_avoid_offers_the_label_the_items_read_and_acts_once_chosen(
        self, owner, sample_catalog
    ):
        """An avoid removes its label's every item, and the items' reading
        takes narrower topics for their whole category: it is offered, and
        removes the category only when the person picks it."""
        children = {i.pk for i in sample_catalog.values() if "Children's" in i.categories}
        text = "Likes:\n- history\nAvoids:\n- bedtime stories for toddlers"
        profile_write_text(user=owner, text=text, base_revision=0)
        read = {s.text: s.label for s in person_read(owner, ListOptions()).statements}
        assert read["bedtime stories for toddlers"] == ""

        profile_edit(
            user=owner,
            edit=ChangeLine(1, concept="Children's"),
            base_revision=profile_for(owner).revision,
        )
        listed = recommend.recommend_for_user(user=owner, options=ListOptions(k=30), log=False)
        assert len(children) >= 10
        assert not children & {entry.item.pk for entry in listed.items}

    def test_the_editor_preview_shows_the_label_the_items_read(self, client, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- history", base_revision=0)
        client.force_login(owner)
        text = "Likes:\n- bedtime stories for toddlers\nAvoids:\n- ghost stories"
        fragment = client.post(
            reverse("engine:profile_preview"), {"text": text}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "Likes · acts on: Children&#x27;s (category)" in fragment
        assert "may mean Horror (category): not acted on" in fragment

    def test_each_line_text_is_asked_of_the_catalog_once(
        self, sample_catalog, django_assert_num_queries
    ):
        stats = catalog_cache.catalog_stats()
        nearest = catalog_cache.line_neighbours(stats)
        first = nearest("bedtime stories for toddlers")
        with django_assert_num_queries(0):
            again = catalog_cache.line_neighbours(stats)("bedtime stories for toddlers")
        assert again is first and len(first.similarities) == concepts.VOTE_K
