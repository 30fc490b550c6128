"""Labels read from the catalog items nearest a line (engine.concepts.item_vote).

The vote itself is plain numpy and tested on made-up neighbours; how the site
reads lines with it is tested against the embedded sample book catalog, its
stored item vectors (pgvector) and the real encoder.
"""

import numpy as np
import pytest
from django.urls import reverse

from engine import catalog_cache, concepts, recommend, scoring
from engine.encoder import get_encoder
from engine.person import ListOptions, person_read
from profiles.parser import AVOID, parse_statement
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

    def test_cosy_village_sleuths_read_as_mystery_through_the_tags(self, sample_catalog):
        """No item is near it (under the vote's floor) and its words are far
        from Mystery's name; the items tagged "village" and "amateur sleuth"
        are Mystery's."""
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


# A catalog made here: its items' texts say nothing (the nearest items split
# evenly), its categories' names are not the line's words; only the tags are.
TAGGED = [
    *[("Western", ("gunslinger", "dusty")) for _ in range(4)],
    *[("Western", ("outlaw gang", "ranch")) for _ in range(4)],
    ("Comedy", ("outlaw gang", "slapstick")),
    *[("Comedy", ("slapstick", "deadpan")) for _ in range(8)],
    *[("War", ("trench", "dusty")) for _ in range(8)],
    *[("Documentary", ("interviews", "archive footage")) for _ in range(8)],
]


@pytest.fixture(scope="module")
def tagged_catalog():
    categories = [(category,) for category, _ in TAGGED]
    tags = [tags for _, tags in TAGGED]
    encode = get_encoder().encode
    vectors = encode([f"Catalogue entry number {n}" for n in range(len(TAGGED))])
    index = scoring.category_index(c for (c,) in categories)
    nearest = concepts.catalog_nearest(vectors, categories, encode, tags)
    stats = scoring.CatalogStats.from_vectors(vectors, np.ones(len(TAGGED)), index.values())
    return index, nearest, stats


class TestLinesReadThroughTheTags:
    def test_a_line_whose_words_are_in_one_categorys_tags_reads_that_category(
        self, tagged_catalog, monkeypatch
    ):
        index, nearest, _ = tagged_catalog
        topic = parse_statement("lonesome gunslingers and their outlaws").embedded_text
        assert concepts.tag_vote(topic, index, nearest(topic)).label == "Western"
        assert concepts.line_label(topic, index, nearest=nearest) == "Western"
        monkeypatch.setattr(concepts, "TAG_VOTE", False)
        assert concepts.line_label(topic, index, nearest=nearest) == ""

    def test_words_that_are_one_tag_or_split_between_categories_read_none(self, tagged_catalog):
        index, nearest, _ = tagged_catalog
        # One tag's words: that tag, narrower than its items' categories.
        assert concepts.tag_vote("outlaw gangs", index, nearest("outlaw gangs")).label == ""
        # "dusty" is Western's and War's alike, "interviews" Documentary's.
        split = concepts.tag_vote("dusty interviews", index, nearest("dusty interviews"))
        assert split.label == ""
        # One word of the line finding a tag is not enough.
        assert concepts.tag_vote("gunslinger", index, nearest("gunslinger")).label == ""

    def test_an_avoid_line_is_only_offered_the_label_the_tags_read(self, tagged_catalog):
        index, nearest, stats = tagged_catalog
        line = "lonesome gunslingers and their outlaws"
        like = parse_statement(line)
        avoid = parse_statement(line, AVOID)
        assert avoid.polarity == AVOID
        assert concepts.acting_labels(like, index, nearest=nearest) == ("Western",)
        assert concepts.acting_labels(avoid, index, nearest=nearest) == ()
        (reading,) = concepts.line_readings([avoid], index, stats, nearest=nearest)
        assert reading.labels == () and reading.near == "Western"


@pytest.mark.django_db
def test_the_tag_vocabulary_is_read_once_per_catalog_state(
    sample_catalog, django_assert_num_queries
):
    """As the catalog holds them (counted here from the items), and no
    query for it on a later line."""
    stats = catalog_cache.catalog_stats()
    vocabulary = catalog_cache.tag_vocabulary(stats)
    items = list(sample_catalog.values())
    expected = concepts.tag_words(
        concepts.tag_counts([i.tags for i in items], [i.categories for i in items])
    )
    assert vocabulary == expected and "amateur sleuth" in vocabulary.words["sleuth"]
    nearest = catalog_cache.line_neighbours(stats)
    nearest("cosy village sleuths")
    with django_assert_num_queries(1):  # the new line's nearest items only
        found = nearest("haunted lighthouse keepers")
    assert found.vocabulary is vocabulary
