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
