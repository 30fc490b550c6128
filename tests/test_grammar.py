"""The general rules under the phrase lists (profiles.grammar): spelling,
negation scope and trailing words, read through profiles.phrasing."""

import pytest

from profiles import grammar, phrasing
from profiles.parser import AVOID, LIKE, parse_line


def test_contractions_typed_without_apostrophes_are_contractions():
    assert grammar.spelled("i cant stand it, dont ask") == "i can't stand it, don't ask"
    assert grammar.spelled("Im done, Ive tried") == "i'm done, i've tried"
    assert grammar.spelled("it\u2019s fine") == "it's fine"
    # Words that only look like one stay: "cantata", "idle".
    assert grammar.spelled("cantatas and idle tunes") == "cantatas and idle tunes"


@pytest.mark.parametrize(
    ("line", "topic"),
    [
        ("we never watch operettas", "operettas"),
        ("I've never warmed to opera", "opera"),
        ("can't really get into podcasts", "podcasts"),
        ("not feeling audiobooks", "audiobooks"),
        ("honestly i never got into opera", "opera"),
        ("I could happily never hear another ballad", "ballad"),
        ("not a big reader of sagas", "sagas"),
    ],
)
def test_a_negated_verb_before_the_topic_is_an_avoid_whatever_the_verb(line, topic):
    reading = phrasing.read(line)
    assert (reading.polarity, reading.topic) == (AVOID, topic)


@pytest.mark.parametrize(
    ("line", "polarity"),
    [
        ("opera never grabbed me", AVOID),
        ("audiobooks just didn't work for me", AVOID),
        ("operettas are so not my thing", AVOID),
        ("opera never disappoints", LIKE),
        ("operettas never get boring", LIKE),
        ("I don't mind operettas", LIKE),
        ("can't wait for the next opera season", LIKE),
    ],
)
def test_a_negation_after_the_topic_reads_what_it_denies(line, polarity):
    assert phrasing.read(line).polarity == polarity


def test_a_description_with_a_negation_in_it_is_no_verdict():
    # What is wanted, described: not an avoid.
    assert phrasing.read("stories that never end").polarity is None
    assert [s.polarity for s in parse_line("stories that don't explain everything")] == [LIKE]


def test_a_negation_that_opens_a_lines_second_half_still_turns_it():
    statements = parse_line("opera, but not the long ones")
    assert [s.polarity for s in statements] == [LIKE, AVOID]


def test_trailing_words_come_off_before_the_endings_but_not_where_they_speak():
    assert phrasing.read("operettas, not for me thanks").polarity == AVOID
    assert phrasing.read("operettas, not for me thanks").topic == "operettas"
    assert phrasing.read("not into operettas at all").topic == "operettas"
    assert phrasing.read("operettas - no thanks").polarity == AVOID
    assert phrasing.read("operettas, not really").polarity == AVOID


def test_too_much_of_a_quality_is_an_avoid_but_too_good_is_not():
    assert phrasing.read("opera is way too shrill for my taste").polarity == AVOID
    assert phrasing.read("operettas are far too long").polarity == AVOID
    assert phrasing.read("opera is too good to miss").polarity != AVOID
