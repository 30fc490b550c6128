"""Labels read by meaning (engine.concepts.meaning_match), with the real encoder."""

import numpy as np

from engine import concepts, scoring

GENRES = scoring.category_index(
    ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary"]
    + ["Drama", "Fantasy", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "War"]
)


def test_a_one_word_topic_that_clearly_means_a_label_acts_on_it():
    assert concepts.meaning_match("battles", GENRES) == concepts.LabelMatch(label="War")
    assert concepts.line_label("battle films", GENRES) == "War"


def test_a_word_near_a_label_but_not_clearly_is_only_shown():
    found = concepts.meaning_match("ghosts", GENRES)
    assert found.label == "" and found.near == "Horror"
    assert concepts.line_label("ghosts", GENRES) == ""


def test_a_qualified_topic_acts_by_its_meaning_alone():
    # "epic battles" is a part of War, not all of it: a label would act on all.
    assert concepts.meaning_match("epic battles", GENRES) == concepts.LabelMatch()
    assert concepts.line_label("epic battles", GENRES) == ""


def test_the_words_decide_before_the_meaning_and_nothing_is_read_from_nothing():
    assert concepts.line_label("horror films", GENRES) == "Horror"
    for topic in ("", "films", "!!", "42"):
        assert concepts.meaning_match(topic, GENRES) == concepts.LabelMatch(), topic
    assert concepts.meaning_match("battles", {}) == concepts.LabelMatch()


def test_with_no_catalog_every_line_is_taken_as_clear():
    empty = scoring.CatalogStats.from_vectors(np.zeros((0, 384)), np.zeros(0))
    assert concepts.specific(np.eye(384)[:2], empty).tolist() == [True, True]


def test_without_an_encoder_only_the_words_name_labels(settings, tmp_path):
    settings.EMBEDDING_MODEL = str(tmp_path / "no-such-model")
    assert concepts.meaning_match("battles", GENRES) == concepts.LabelMatch()
    assert concepts.line_label("horror films", GENRES) == "Horror"


TAGS = scoring.category_index(["zombie", "based on novel", "time travel"])


def test_a_common_tag_named_by_the_words_is_a_label_after_the_categories():
    assert concepts.line_label("zombie films", GENRES, tags=TAGS) == "tag:zombie"
    assert concepts.line_label("zombies", GENRES, tags=TAGS) == "tag:zombie"
    assert concepts.line_label("time travel stories", GENRES, tags=TAGS) == "tag:time travel"
    assert concepts.line_label("horror films", GENRES, tags=TAGS) == "Horror"
    assert concepts.line_label("zombie romance", GENRES, tags=TAGS) == ""
    assert concepts.label_words("tag:zombie") == "zombie (tag)"


def test_the_persons_choice_decides_while_the_catalog_has_it():
    class Line:
        def __init__(self, embedded_text, concept):
            self.embedded_text, self.concept = embedded_text, concept

    assert concepts.acting_label(Line("horror films", "-"), GENRES, TAGS) == ""
    assert concepts.acting_label(Line("ghosts", "Horror"), GENRES, TAGS) == "Horror"
    assert concepts.acting_label(Line("ghosts", "tag:zombie"), GENRES, TAGS) == "tag:zombie"
    # A label gone from the catalog: the words decide again.
    assert concepts.acting_label(Line("horror films", "Western"), GENRES, TAGS) == "Horror"


def test_quality_format_and_when_words_are_no_part_of_a_label():
    for topic in (
        "a clever mystery",
        "mystery workshops",
        "intro to mystery",
        "mysteries on rainy evenings",
        "mystery, definitely mystery",
    ):
        assert concepts.word_label(topic, GENRES) == "Mystery", topic
    # Parts that name different things, or a part that narrows: no label.
    assert concepts.word_label("mystery, especially cosy ones", GENRES) == ""
    assert concepts.word_label("horror, comedy", GENRES) == ""


def test_joined_topics_name_each_label():
    assert concepts.line_labels("horror and war films", GENRES) == ("Horror", "War")
    assert concepts.line_labels("comedies & adventure films", GENRES) == ("Comedy", "Adventure")
    assert concepts.line_labels("horror, fantasy or sci-fi", GENRES) == (
        "Horror",
        "Fantasy",
        "Sci-Fi",
    )
    # One label's name said twice is that label; a single name is line_label's.
    assert concepts.line_labels("horror and more horror", GENRES) == ("Horror",)
    assert concepts.line_labels("horror films", GENRES) == ("Horror",)
    # A part that names nothing, or narrows the others: no label at all.
    assert concepts.line_labels("horror and epic picnics", GENRES) == ()
    assert concepts.line_labels("comedy, especially romance", GENRES) == ()


class _Line:
    def __init__(self, embedded_text, concept="", polarity="like"):
        self.embedded_text, self.concept, self.polarity = embedded_text, concept, polarity


def test_a_line_of_joined_topics_acts_on_every_label_it_names():
    assert concepts.acting_labels(_Line("horror and war films"), GENRES) == ("Horror", "War")
    assert concepts.acting_labels(_Line("romance and musicals", polarity="avoid"), GENRES) == (
        "Romance",
        "Musical",
    )
    assert concepts.acting_labels(_Line("horror or zombies", polarity="avoid"), GENRES, TAGS) == (
        "Horror",
        "tag:zombie",
    )
    # The first stays the first label, as callers of one label read it.
    assert concepts.acting_label(_Line("horror and war films"), GENRES) == "Horror"
    assert concepts.acting_labels(_Line("horror and epic picnics"), GENRES) == ()
    # A narrowing part, and one name said with "and", act as one line always did.
    assert concepts.acting_labels(_Line("comedy, especially romance"), GENRES) == ()
    rock = scoring.category_index(["Rock", "Rock and Roll", "Jazz"])
    assert concepts.acting_labels(_Line("rock and roll"), rock) == ("Rock and Roll",)


def test_a_chosen_set_of_labels_decides_and_a_label_gone_from_it_is_dropped():
    # Switched one off: the line keeps the other.
    assert concepts.acting_labels(_Line("horror and war films", "War"), GENRES) == ("War",)
    # Chose another in one's place, stored joined.
    chosen = _Line("horror and war films", "Horror|Fantasy")
    assert concepts.acting_labels(chosen, GENRES) == ("Horror", "Fantasy")
    # A label gone from the catalog leaves the others; all gone, the words decide.
    assert concepts.acting_labels(_Line("war films", "Western|War"), GENRES) == ("War",)
    assert concepts.acting_labels(_Line("war films", "Western|Polka"), GENRES) == ("War",)
    assert concepts.acting_labels(_Line("horror and war films", "-"), GENRES) == ()


def test_the_reading_names_every_label_and_offers_a_switch_for_each():
    reading = concepts.LineReading(
        "skip romance and musicals", "avoid", 1.0, "romance and musicals", "",
        options=("Drama", "War"), labels=("Romance", "Musical"),
    )  # fmt: skip
    assert reading.label == "Romance"
    assert reading.how == "Avoids · acts on: Romance, Musical (categories)"
    off, swap = [(s.label, s.off) for s in reading.switches], reading.switches[1].swaps
    assert off == [("Romance", "Musical"), ("Musical", "Romance")]
    assert swap[0] == ("Drama", "Romance|Drama")
    assert concepts.labels_words(["Horror", "tag:gore"]) == "Horror (category), gore (tag)"
    one = concepts.LineReading("romance", "avoid", 1.0, "romance", "Romance")
    assert one.how == "Avoids · acts on: Romance (category)" and one.switches == ()


def test_a_topic_of_several_words_that_clearly_means_a_label_as_a_whole_acts_on_it():
    labels = scoring.category_index(
        ["Poetry", "Travel", "Cooking", "History", "Jazz", "Rock", "Statistics", "Design"]
        + ["Horror", "Comedy", "Romance", "Business"]
    )
    # Written for this test: in no phrase corpus.
    assert concepts.meaning_match("verses and stanzas", labels).label == "Poetry"
    assert concepts.line_label("standard deviation", labels) == "Statistics"
    # A part of a label ("cozy mysteries"), or a narrower topic, stays unlabelled.
    assert concepts.whole_meaning("haunted lighthouses", labels) == concepts.LabelMatch()
    assert concepts.whole_meaning("romantic poetry", labels) == concepts.LabelMatch()
    # Too few labels have no mean to take off: nothing is read as a whole.
    assert concepts.whole_meaning("verses and stanzas", dict(list(labels.items())[:4])) == (
        concepts.LabelMatch()
    )
