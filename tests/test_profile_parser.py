"""The profile text parser: sections, bullets, negation, strength, limits, round trip."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles.parser import (
    AVOID,
    LIKE,
    MAX_STATEMENTS,
    ParsedStatement,
    ProfileTextError,
    by_polarity,
    parse_profile,
    render_profile,
)


def one(text: str) -> ParsedStatement:
    (statement,) = parse_profile(text)
    return statement


class TestSections:
    def test_likes_and_avoids_with_bullets(self):
        statements = parse_profile(
            "Likes:\n- Slow-burn first contact\n* Witty courtroom dramas\n\n"
            "Avoids:\n• Gory slasher horror\n1. Musicals\n"
        )
        assert [(s.text, s.polarity) for s in statements] == [
            ("Slow-burn first contact", LIKE),
            ("Witty courtroom dramas", LIKE),
            ("Gory slasher horror", AVOID),
            ("Musicals", AVOID),
        ]

    def test_lines_before_any_header_are_likes(self):
        assert one("space opera").polarity == LIKE

    @pytest.mark.parametrize("header", ["Avoid:", "DISLIKES:", "Not for me:", "Less of :"])
    def test_avoid_synonyms(self, header):
        assert one(f"{header}\nhorror").polarity == AVOID

    def test_header_with_a_statement_on_the_same_line(self):
        assert [(s.text, s.polarity) for s in parse_profile("Avoids: horror\nLikes: jazz")] == [
            ("horror", AVOID),
            ("jazz", LIKE),
        ]

    def test_a_colon_in_a_statement_is_not_a_header(self):
        assert one("- Note: character studies").text == "Note: character studies"


class TestNegation:
    @pytest.mark.parametrize(
        ("line", "embedded"),
        [
            ("not into horror movies", "horror movies"),
            ("I'm not into horror movies", "horror movies"),
            ("no more zombie films", "zombie films"),
            ("I don't like musicals", "musicals"),
            ("I do not like musicals", "musicals"),
            ("I hate clowns", "clowns"),
            ("avoid gore", "gore"),
            ("less gore", "gore"),
            ("nothing with clowns", "clowns"),
            ("not a fan of reality TV", "reality TV"),
            ("but really not into jump scares", "jump scares"),
            ("No romance", "romance"),
        ],
    )
    def test_becomes_avoid_with_negation_removed(self, line, embedded):
        statement = one(f"Likes:\n- {line}")
        assert statement.polarity == AVOID
        assert statement.embedded_text == embedded
        assert statement.text == line

    def test_less_is_a_softer_avoid(self):
        assert one("less gore").weight == 0.5
        assert one("no gore").weight == 1.0
        for line in (
            "slightly fewer operettas",
            "dial back the bagpipes",
            "could do with less opera",
        ):
            statement = one(f"Likes:\n- {line}")
            assert (statement.polarity, statement.weight) == (AVOID, 0.5), line

    def test_negation_inside_avoids_stays_avoid(self):
        assert one("Avoids:\n- I don't like horror").polarity == AVOID

    def test_words_that_merely_start_like_negations(self):
        statement = one("nothing-happens literary fiction")
        assert statement.polarity == LIKE
        assert one("Notting Hill romances").polarity == LIKE

    def test_positive_phrasing_is_removed_from_the_embedded_text(self):
        statement = one("I really love space opera")
        assert (statement.polarity, statement.embedded_text, statement.weight) == (
            LIKE,
            "space opera",
            1.0,
        )


class TestStrength:
    @pytest.mark.parametrize(
        ("line", "weight"),
        [
            ("jazz (strong)", 1.0),
            ("jazz (a little)", 0.4),
            ("jazz (somewhat)", 0.6),
            ("jazz (0.3)", 0.3),
            ("jazz (weight 0.75)", 0.75),
            ("kind of like jazz", 0.5),
            ("jazz", 1.0),
        ],
    )
    def test_markers_map_to_weights(self, line, weight):
        statement = one(line)
        assert statement.weight == weight
        assert "(" not in statement.text

    def test_other_parentheses_are_part_of_the_text(self):
        assert (
            one("Dream heists (e.g. Inception, Memento)").text
            == "Dream heists (e.g. Inception, Memento)"
        )


class TestLimits:
    def test_too_many_statements(self):
        text = "\n".join(f"topic {n}" for n in range(MAX_STATEMENTS + 1))
        with pytest.raises(
            ProfileTextError, match=rf"line {MAX_STATEMENTS + 1}: a profile holds at most 50"
        ):
            parse_profile(text)

    def test_a_statement_too_long_names_its_line(self):
        with pytest.raises(
            ProfileTextError, match=r"line 2: this statement is 301 characters long"
        ):
            parse_profile("jazz\n" + "x" * 301)

    def test_whole_text_too_long(self):
        with pytest.raises(ProfileTextError, match="the limit is 8000"):
            parse_profile("jazz\n" * 2000)

    def test_unicode_and_html_are_kept_as_typed(self):
        statement = one("- Krimis aus Łódź <b>&amp; Kraków</b> 🎻")
        assert statement.text == "Krimis aus Łódź <b>&amp; Kraków</b> 🎻"

    def test_blank_text_is_an_empty_profile(self):
        assert parse_profile("\n  \n") == []


class TestRoundTrip:
    def test_render_then_parse(self):
        statements = parse_profile(
            "Likes:\n- a (a little)\n- less b\nAvoids:\n- c (strong)\n- less d (strong)"
        )
        text = render_profile(statements)
        assert parse_profile(text) == statements
        assert text.startswith("Likes:\n- a (a little)\n")

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.text(
                alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1,
                max_size=60,
            ),
            max_size=8,
        )
    )
    def test_any_parsed_profile_survives_render_and_parse(self, lines):
        try:
            statements = parse_profile("\n".join(lines))
        except ProfileTextError:
            return
        assert parse_profile(render_profile(statements)) == by_polarity(statements)

    def test_likes_and_avoids_each_keep_one_header_whatever_the_order(self):
        statements = parse_profile(
            "Likes:\n- jazz\nAvoids:\n- musicals\nLikes:\n- space opera\n"
            "- westerns but not romance\nAvoids:\n- gore\nLikes:\n- cooking"
        )
        text = render_profile(statements)
        assert text == (
            "Likes:\n- jazz\n- space opera\n- westerns\n- cooking\n\n"
            "Avoids:\n- musicals\n- not romance\n- gore\n"
        )
        assert parse_profile(text) == by_polarity(statements)
        assert render_profile(parse_profile(text)) == text


class TestLinesWithNothingInThem:
    @pytest.mark.parametrize("line", ["-", "*", "•", "- ", "...", "—", "1.", "!!", "-  -"])
    def test_are_ignored_never_stored(self, line):
        assert parse_profile(f"Likes:\n{line}\n- jazz\nAvoids:\n{line}") == [
            ParsedStatement(text="jazz", polarity=LIKE, weight=1.0, embedded_text="jazz")
        ]


class TestLinesThatTurn:
    @pytest.mark.parametrize(
        ("line", "liked", "avoided"),
        [
            ("space opera but less romance", "space opera", "romance"),
            ("heist films, but not the violent ones", "heist films", "violent ones"),
            ("fantasy without the endless battles", "fantasy", "endless battles"),
            ("I love thrillers, just no gore", "thrillers", "gore"),
            ("mysteries with no gore", "mysteries", "gore"),
            ("less gore, more mystery", "mystery", "gore"),
        ],
    )
    def test_become_a_like_and_an_avoid(self, line, liked, avoided):
        like, avoid = parse_profile(f"Likes:\n- {line}")
        assert (like.polarity, like.embedded_text) == (LIKE, liked)
        assert (avoid.polarity, avoid.embedded_text) == (AVOID, avoided)
        # Shown as two lines, which read back as the same two statements.
        text = render_profile([like, avoid])
        assert parse_profile(text) == [like, avoid]

    @pytest.mark.parametrize(
        "line",
        ["superhero movies, never again", "war films - no thanks", "jazz, not really"],
    )
    def test_a_line_that_avoids_as_a_whole_stays_one(self, line):
        assert [s.polarity for s in parse_profile(f"Likes:\n- {line}")] == [AVOID]

    def test_an_avoids_line_never_turns(self):
        assert [s.polarity for s in parse_profile("Avoids:\n- horror but not comedy")] == [AVOID]


class TestTheSectionDecidesWhenTheWordsDoNot:
    def test_like_words_never_turn_an_avoids_line(self):
        assert one("Avoids:\n- anything with zombies").polarity == AVOID
        assert one("Avoids:\n- anything with zombies").embedded_text == "zombies"

    def test_avoid_words_turn_a_likes_line(self):
        assert one("Likes:\n- nothing gory").polarity == AVOID


class TestJudgementsSaidAfterTheTopic:
    """A feeling or a verdict after the topic decides, in words no list names one by one."""

    @pytest.mark.parametrize(
        ("line", "topic"),
        [
            ("opera wears me out", "opera"),
            ("slapstick drives me up the wall", "slapstick"),
            ("laugh tracks annoy me so much", "laugh tracks"),
            ("documentaries put me off", "documentaries"),
            ("clowns give me the creeps", "clowns"),
            ("musicals are so tedious", "musicals"),
            ("war epics feel pretentious to me", "war epics"),
            ("torture scenes are a firm no", "torture scenes"),
            ("I find opera insufferable", "opera"),
            ("horror is my worst nightmare", "horror"),
        ],
    )
    def test_a_bad_feeling_or_verdict_is_an_avoid(self, line, topic):
        statement = one(f"Likes:\n- {line}")
        assert (statement.polarity, statement.embedded_text) == (AVOID, topic)
        assert statement.section == LIKE, "the editor shows the words overrode the header"

    @pytest.mark.parametrize(
        ("line", "topic"),
        [
            ("jazz is my comfort food", "jazz"),
            ("sea shanties are brilliant", "sea shanties"),
            ("I'm a lifelong opera buff", "opera"),
            ("heist films, the twistier the better", "heist films"),
        ],
    )
    def test_praise_is_a_like_even_under_avoids(self, line, topic):
        statement = one(f"- {line}")
        assert (statement.polarity, statement.embedded_text) == (LIKE, topic)

    def test_a_good_feeling_after_me_is_no_avoid(self):
        assert one("Likes:\n- action films put me in a good mood").polarity == LIKE
        assert one("Likes:\n- horror is my favourite").polarity == LIKE
