"""A verdict said after the topic, read by meaning (profiles.verdict), with the real encoder.

The lines here are written for this test: none is in the phrase corpora or
among the clauses the classifier is trained on.
"""

import pytest

from engine.encoder import get_encoder
from profiles import verdict
from profiles.parser import AVOID, LIKE, parse_line


def test_where_a_line_may_turn_from_topic_to_verdict():
    # Not "operettas bum" + "me out": the clause opens with its verb.
    assert verdict.splits("operettas bum me out") == [("operettas", "bum me out")]
    # The person must be in the clause, or a copula open it ("operettas are
    # dreary"); a description goes on describing.
    assert verdict.splits("operettas are long") == [("operettas", "are long")]
    assert verdict.splits("operettas long") == []
    assert verdict.splits("films that scare me") == []
    assert verdict.splits("music for my commute") == []
    assert verdict.splits("operettas") == []


@pytest.mark.parametrize(
    ("line", "polarity", "topic"),
    [
        ("operettas bum me out", AVOID, "operettas"),
        ("bagpipe records annoy the life out of me", AVOID, "bagpipe records"),
        ("sea shanties warm my heart", LIKE, "sea shanties"),
        ("bagpipe records are dreary", AVOID, "bagpipe records"),
        ("sea shanties are pure bliss", LIKE, "sea shanties"),
    ],
)
def test_a_feeling_after_the_topic_is_read_by_meaning(line, polarity, topic):
    assert verdict.read(line) == (polarity, topic)


def test_a_copula_clause_that_only_describes_or_is_lukewarm_is_no_verdict():
    assert verdict.read("operettas are sung in Italian") is None
    assert verdict.read("sea shanties are set on ships") is None
    assert verdict.read("operettas are ok i guess") is None


def test_a_line_the_lists_leave_unread_is_read_by_its_verdict():
    [statement] = parse_line("operettas bum me out")
    assert (statement.polarity, statement.embedded_text) == (AVOID, "operettas")
    # A description of what is wanted stays a like.
    [statement] = parse_line("operettas my grandmother sang to me")
    assert statement.polarity == LIKE


def test_the_stored_weights_are_those_of_the_clauses_and_the_encoder():
    # Changing the written clauses without `python -m profiles.verdict` fails here.
    texts, _ = verdict.training_clauses()
    assert verdict._stored(get_encoder().encode_cached, texts) is not None
