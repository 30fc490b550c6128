"""The hybrid scoring core (engine.scoring): plain numpy, no database."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from engine import scoring

DIMS = 8
RNG = np.random.default_rng(7)
# A catalog of random unit vectors gives the statistics statements are
# normalised against.
CATALOG = RNG.normal(size=(400, DIMS))
CATALOG /= np.linalg.norm(CATALOG, axis=1, keepdims=True)
STATS = scoring.CatalogStats.from_vectors(CATALOG, np.arange(400, dtype=float))


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIMS)
    vector[: len(values)] = values
    return (vector / np.linalg.norm(vector)).astype(np.float32)


# The item standing for "what you rated" in these tests: its trained
# neighbour weights are each candidate's ``cf``.
RATED = 999


def statement(key, vector, polarity=scoring.LIKE, weight=1.0, text=None, **fields):
    """A line the person typed (it removes what it avoids, and is promised a share)."""
    fields.setdefault("own", True)
    return scoring.ProfileStatement(key, text or f"line {key}", polarity, weight, vector, **fields)


def candidates(vectors, *, popularity=None, cf=None, sources=None):
    """Candidates with ``vectors``; ``cf``: what the rated item (``RATED``, or
    the one ``sources`` names) pulls each of them in by."""
    vectors = np.stack(vectors).astype(np.float32)
    n = len(vectors)
    pulled = np.asarray(cf if cf is not None else [0.0] * n, dtype=float)
    source = next((item for pairs in (sources or {}).values() for item, _ in pairs), RATED)
    return scoring.Candidates(
        ids=np.arange(1, n + 1, dtype=np.int64),
        vectors=vectors,
        popularity=np.asarray(popularity if popularity is not None else [10] * n, dtype=float),
        links=sparse.csr_matrix(pulled[np.newaxis, :]),
        sources=np.array([source], dtype=np.int64),
    )


def table(cands, statements, *, history=None, **settings_fields):
    history = history or {RATED: scoring.HistoryItem(RATED, "Rated", "you rated 5", 1.0)}
    return scoring.score_candidates(
        cands, statements, history, STATS, scoring.Settings(**settings_fields)
    )


def score(cands, statements, **kwargs) -> list[scoring.Scored]:
    return table(cands, statements, **kwargs).all()


class TestTerms:
    def test_an_item_close_to_a_like_statement_outscores_one_far_from_it(self):
        near, far = score(candidates([unit(1, 0.1), unit(0, 1)]), [statement(0, unit(1))])
        assert near.score > far.score
        assert near.contributions["pos"] > 0 and far.contributions["pos"] == 0
        assert [m.statement.key for m in near.matches] == [0]

    def test_a_stronger_statement_weighs_more(self):
        strong, weak = (
            score(candidates([unit(1, 0.1)]), [statement(0, unit(1), weight=w)])[0]
            for w in (1.0, 0.4)
        )
        assert strong.contributions["pos"] > weak.contributions["pos"] > 0

    def test_an_item_very_close_to_an_avoid_statement_is_removed(self):
        close, aside = score(
            candidates([unit(1, 0.05), unit(0.2, 1)]),
            [statement(0, unit(0, 1)), statement(1, unit(1), polarity=scoring.AVOID)],
        )
        assert close.removed and close.avoided.statement.key == 1
        assert not aside.removed

    def test_a_mild_avoid_match_is_a_penalty_not_a_removal(self):
        vector = unit(1, 1.6)  # partly towards the avoided direction
        avoid = statement(1, unit(1), polarity=scoring.AVOID, weight=0.4)
        (penalised,) = score(candidates([vector]), [statement(0, unit(0, 1)), avoid])
        (free,) = score(candidates([vector]), [statement(0, unit(0, 1))])
        assert not penalised.removed
        assert penalised.contributions["neg"] < 0
        assert penalised.score < free.score

    def test_balance_moves_weight_between_words_and_history(self):
        cands = candidates([unit(1, 0.1), unit(0, 1)], cf=[0.0, 1.0])
        words = score(cands, [statement(0, unit(1))], balance=1.0)
        history = score(cands, [statement(0, unit(1))], balance=0.0)
        assert words[0].score > words[1].score
        assert history[1].score > history[0].score
        assert words[1].contributions["history"] == 0 and history[0].contributions["pos"] == 0

    def test_personalisation_off_leaves_only_popularity(self):
        cands = candidates([unit(1), unit(0, 1)], popularity=[5, 300], cf=[1.0, 0.0])
        scored = score(cands, [statement(0, unit(1))], personalised=False)
        assert [
            s.contributions["pos"] + s.contributions["cf"] + s.contributions["history"]
            for s in scored
        ] == [0, 0]
        assert scored[1].score > scored[0].score


class TestFaithfulness:
    def test_the_rationale_names_only_contributing_parts_largest_first(self):
        (item,) = score(
            candidates([unit(1, 0.1)], cf=[0.2]),
            [statement(0, unit(1), text="Sea stories")],
            balance=0.8,
        )
        named = item.named()
        assert named[0][0] == "line" and named[0][1].statement.text == "Sea stories"
        assert all(size > 0 for _, _, size in named)
        text = scoring.rationale(item)
        assert text.startswith("Matches “Sea stories”")
        assert "ranked lower" not in text  # no avoid statement contributed

    def test_history_names_the_items_that_pulled_the_item_in(self):
        arrival = scoring.HistoryItem(42, "Arrival", "you rated 5", 1.0)
        (item,) = score(
            candidates([unit(0, 1)], cf=[1.0], sources={1: [(42, 1.0)]}),
            [],
            history={42: arrival},
        )
        assert scoring.rationale(item) == "Similar to Arrival, which you rated 5."

    def test_generated_examples_are_not_quoted(self):
        line = statement(0, unit(1), text="Sea stories (e.g. Moby-Dick, Kon-Tiki)")
        (item,) = score(candidates([unit(1, 0.1)]), [line])
        assert "“Sea stories”" in scoring.rationale(item)

    def test_quoted_examples_with_parentheses_in_a_title_are_not_quoted(self):
        text = "Drama (e.g. “Wings of Desire (Himmel über Berlin, Der)”, “Paris, Texas”)"
        (item,) = score(candidates([unit(1, 0.1)]), [statement(0, unit(1), text=text)])
        assert "“Drama”" in scoring.rationale(item) and "Wings" not in scoring.rationale(item)

    @settings(max_examples=60, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        likes=st.integers(1, 5),
        avoids=st.integers(0, 2),
        balance=st.floats(0.05, 1.0),
    )
    def test_removing_a_cited_statement_always_lowers_the_score(self, seed, likes, avoids, balance):
        rng = np.random.default_rng(seed)
        vectors = rng.normal(size=(likes + avoids + 20, DIMS))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        lines = [
            statement(i, vectors[i], weight=float(rng.uniform(0.2, 1.0))) for i in range(likes)
        ] + [
            statement(likes + i, vectors[likes + i], polarity=scoring.AVOID) for i in range(avoids)
        ]
        cands = candidates(list(vectors[likes + avoids :]), cf=rng.uniform(0, 1, 20))
        before = score(cands, lines, balance=balance)
        for item in before:
            for match in item.matches:
                without = [line for line in lines if line.key != match.statement.key]
                after = score(cands, without, balance=balance)
                changed = next(s for s in after if s.item_id == item.item_id)
                assert changed.score < item.score


def grouped(vectors, pulls, members, **kwargs):
    """Candidates pulled in by the rated items ``members`` (id -> row of pulls)."""
    return replace(
        candidates(vectors, **kwargs),
        links=sparse.csr_matrix(np.array([pulls[item] for item in members], dtype=float)),
        sources=np.array(members, dtype=np.int64),
    )


def rated(*items, strength=1.0, free=True):
    return {
        item: scoring.HistoryItem(item, f"Title {item}", "you rated 5", strength, free=free)
        for item in items
    }


class TestGroups:
    """A line is a group of the person's history: its collaborative part is
    what its items' trained neighbours pull in."""

    VECTORS = [unit(1), unit(0, 1), unit(0, 0, 1)]
    # Rated item 41 pulls candidate 1 in, 42 candidate 2, 43 a little of both.
    PULLS = {41: [0.8, 0.0, 0.1], 42: [0.0, 0.6, 0.0], 43: [0.2, 0.2, 0.0]}

    def lines(self, weight=1.0):
        return [
            statement(0, unit(0, 0, 0, 1), members=(41,), weight=weight, own=False),
            statement(1, unit(0, 0, 0, 0, 1), members=(42,), own=False),
        ]

    def table(self, lines, history=None, balance=0.0):
        cands = grouped(self.VECTORS, self.PULLS, [41, 42, 43])
        return table(cands, lines, history=history or rated(41, 42, 43), balance=balance)

    def test_a_line_pulls_in_what_its_items_neighbour_and_names_them(self):
        first, second, _ = self.table(self.lines()).all()
        assert first.matches[0].statement.key == 0
        assert [s.item.item_id for s in first.matches[0].sources] == [41]
        assert second.matches[0].statement.key == 1
        # 43 is in no line: free history, named as such.
        assert first.free_history > 0 and [s.item.item_id for s in first.sources] == [43]
        assert scoring.rationale(first).startswith("Matches “line 0” (like Title 41)")

    def test_deleting_a_line_lowers_each_item_by_exactly_its_share(self):
        # The writer placed 41 and 42 in lines: they count through them only.
        history = {**rated(41, 42, free=False), **rated(43)}
        scored = self.table(self.lines(), history=history)
        without = self.table(self.lines()[1:], history=history)
        for row, item in enumerate(scored.all()):
            share = sum(m.contribution for m in item.matches if m.statement.key == 0)
            assert scored.score[row] - without.score[row] == pytest.approx(share)

    def test_weakening_a_line_lowers_its_collaborative_share_in_proportion(self):
        full = self.table(self.lines(weight=1.0), balance=0.3)
        weaker = self.table(self.lines(weight=0.4), balance=0.3)
        assert weaker.terms["cf"][0] < full.terms["cf"][0]
        cf_part = full.did * full.groups.like[:, 0]
        assert weaker.lines[:, 0] == pytest.approx(0.4 * cf_part + weaker.line_words[:, 0])
        assert full.lines[:, 0] == pytest.approx(cf_part + full.line_words[:, 0])

    def test_the_items_of_a_deleted_line_do_not_come_back_as_free_history(self):
        history = {**rated(41, free=False), **rated(42, 43)}
        first, *_ = self.table(self.lines()[1:], history=history).all()
        assert [s.item.item_id for s in first.sources] == [43]
        assert first.score == pytest.approx(
            first.free_history + first.contributions["pop"], abs=1e-4
        )

    def test_a_strongly_negative_neighbour_pushes_an_item_down(self):
        pulls = {41: [0.8, -0.5, 0.1], 42: [0.0, 0.6, 0.0], 43: [0.0, 0.0, 0.0]}
        cands = grouped(self.VECTORS, pulls, [41, 42, 43])
        second = table(cands, self.lines(), history=rated(41, 42, 43), balance=0.0).all()[1]
        assert second.contributions["cf"] < 0.6 / 0.8

    def test_a_typed_line_with_no_history_finds_its_own_group(self):
        # Candidate 1 is what the words match; its neighbours (candidate 3)
        # come in with it.
        vectors = [unit(1), unit(0, 1), unit(0, 0, 1)]
        cands = grouped(vectors, {1: [0.0, 0.0, 0.9], 2: [0, 0, 0], 3: [0, 0, 0]}, [1, 2, 3])
        typed = statement(0, unit(1), text="what I want")
        first, second, third = table(cands, [typed], history={}, balance=0.5).all()
        assert third.score > second.score
        assert third.matches[0].statement.key == 0

    def test_a_newcomers_typed_line_brings_the_better_known_of_its_neighbours_first(self):
        # What the words match (candidate 1) pulls candidates 2 and 3 in
        # equally; 3 is taken by ten times as many people. With no history,
        # a line names a taste, not the person: the well-known neighbour
        # leads, by the line's own share, without the popularity term's help.
        # With a history (item 99, which pulls nothing) it does not.
        vectors = [unit(1), unit(0, 1), unit(0, 0, 1)]
        pulls = {1: [0.0, 0.9, 0.9], 2: [0, 0, 0], 3: [0, 0, 0], 99: [0, 0, 0]}
        cands = grouped(vectors, pulls, [1, 2, 3, 99], popularity=[100, 10, 100])
        typed = statement(0, unit(1), text="what I want")
        newcomer = table(cands, [typed], history={}, balance=0.05)
        assert newcomer.lines[2, 0] > newcomer.lines[1, 0] > 0
        assert newcomer.lines[2, 0] / newcomer.lines[1, 0] == pytest.approx(
            10**scoring.TYPED_POPULARITY, rel=0.05
        )
        known = table(cands, [typed], history=rated(99), balance=0.05)
        assert known.lines[2, 0] == pytest.approx(known.lines[1, 0])
        assert known.lines[1, 0] > 0

    def test_an_item_nobody_has_rated_is_reached_through_a_groups_centre(self):
        vectors = [unit(1), unit(0, 1), unit(1, 0.05)]
        cands = grouped(vectors, {41: [0.8, 0.0, 0.0]}, [41], popularity=[10, 10, 0])
        line = statement(0, unit(0, 0, 0, 1), members=(41,), centre=unit(1), own=False)
        first, second, new = table(cands, [line], history=rated(41), balance=0.0).all()
        assert new.score > second.score and new.contributions["cf"] > 0
        assert new.matches[0].statement.key == 0

    def test_a_short_historys_line_centre_counts_beside_its_neighbours_and_fades_as_it_grows(self):
        # Candidate 1 sits on the line's centre, candidate 2 far from it; the
        # rated items pull neither in. At balance 0 ("what I did" alone) the
        # centre still counts for a short history, by 1 / (1 + known items).
        vectors = [unit(1), unit(0, 1), unit(0, 0, 1)]
        pulls = {item: [0.0, 0.0, 0.5] for item in (41, 42, 43, 44)}
        cands = grouped(vectors, pulls, [41, 42, 43, 44])
        line = statement(0, unit(0, 0, 0, 1), members=(41,), centre=unit(1), own=False)
        short = table(cands, [line], history=rated(41), balance=0.0)
        longer = table(cands, [line], history=rated(41, 42, 43, 44), balance=0.0)
        assert scoring.sparse_centre_share(short.groups) == pytest.approx(1 / 2)
        assert scoring.sparse_centre_share(longer.groups) == pytest.approx(1 / 5)
        assert short.lines[0, 0] > 0 and short.lines[1, 0] == 0
        assert short.lines[0, 0] / longer.lines[0, 0] == pytest.approx(5 / 2)
        # It is the line's share: named by it, and deleting the line takes it away.
        on_centre = short.scored(0)
        assert on_centre.matches[0].statement.key == 0
        without = table(cands, [], history=rated(41, free=False), balance=0.0)
        assert short.score[0] - without.score[0] == pytest.approx(on_centre.matches[0].contribution)
        # Weakening the line shrinks the centre's part in proportion.
        weaker = table(cands, [replace(line, weight=0.4)], history=rated(41), balance=0.0)
        assert weaker.lines[0, 0] == pytest.approx(0.4 * short.lines[0, 0])

    def test_the_sparse_centre_part_leaves_items_nobody_has_rated_to_their_guess(self):
        vectors = [unit(1), unit(0, 1), unit(1, 0.05)]
        cands = grouped(vectors, {41: [0.0, 0.8, 0.0]}, [41], popularity=[10, 10, 0])
        line = statement(0, unit(0, 0, 0, 1), members=(41,), centre=unit(1), own=False)
        scored = table(cands, [line], history=rated(41), balance=0.0)
        assert scored.line_words[0, 0] > 0 and scored.line_words[2, 0] == 0

    def test_new_items_wait_below_the_tenth_known_one_and_take_every_other_place_after(self):
        # Fourteen items the rated one pulls in, and four nobody has rated
        # that sit on the line's centre: their guessed pull alone would put
        # them first.
        known = [unit(0, 1, 0.01 * i) for i in range(14)]
        new = [unit(1, 0.01 * i) for i in range(4)]
        cands = grouped(
            known + new,
            {41: [1.0 - 0.05 * i for i in range(14)] + [0.0] * 4},
            [41],
            popularity=[10] * 14 + [0] * 4,
        )
        line = statement(0, unit(0, 0, 0, 1), members=(41,), centre=unit(1), own=False)
        scored = table(cands, [line], history=rated(41), balance=0.0)
        order = sorted(scored.all(), key=lambda s: -s.score)
        assert ["new" if s.item_id > 14 else "known" for s in order] == (
            ["known"] * 10 + ["new", "known"] * 4
        )
        # The new items keep their own order, and the line still names them.
        assert [s.item_id for s in order if s.item_id > 14] == [15, 16, 17, 18]
        assert all(s.matches[0].statement.key == 0 for s in order if s.item_id > 14)

    def test_a_new_item_that_barely_matches_a_centre_still_takes_the_place_after_the_tenth(self):
        # Its guessed pull alone would leave it below all fourteen known
        # items; an item that matches no centre gets no place at all.
        known = [unit(0, 1, 0.01 * i) for i in range(14)]
        weak, unrelated = unit(0.45, 0, 0.893), unit(0, 0, 0, 0, 0, 1)
        cands = grouped(
            [*known, weak, unrelated],
            {41: [1.0 - 0.05 * i for i in range(14)] + [0.0, 0.0]},
            [41],
            popularity=[10] * 14 + [0, 0],
        )
        line = statement(0, unit(0, 0, 0, 1), members=(41,), centre=unit(1), own=False)
        scored = table(cands, [line], history=rated(41), balance=0.0)
        order = [s.item_id for s in sorted(scored.all(), key=lambda s: -s.score)]
        assert order == [*range(1, 11), 15, *range(11, 15), 16]
        placed = scored.scored(14)
        assert placed.matches[0].statement.key == 0
        # Its place is its line's share: deleting the line takes it away.
        without = table(cands, [], history=rated(41, free=False), balance=0.0)
        assert without.score[14] < scored.score[14] - placed.matches[0].contribution + 1e-9


class TestShares:
    def test_a_line_the_person_wrote_gets_its_share_of_the_list(self):
        # Ten items history pulls in hard, and a typed line whose words match
        # three weak ones: it is promised three of the ten places.
        vectors = [unit(0, 1, 0.01 * i) for i in range(10)] + [unit(1, 0.01 * i) for i in range(4)]
        pulls = {41: [1.0] * 10 + [0.0] * 4}
        cands = grouped(vectors, pulls, [41])
        typed = statement(0, unit(1), text="what I typed")
        scored = table(cands, [typed], history=rated(41), balance=0.05)
        listed = scoring.rank(scored, k=10, settings=scoring.Settings(balance=0.05, diversity=0))
        ids = [r.scored.item_id for r in listed]
        assert len(ids) == 10 and sum(1 for i in ids if i > 10) == 3
        # They take the places their own scores give them: at the end.
        assert all(i > 10 for i in ids[-3:])

    def test_a_weaker_written_line_is_promised_fewer_places(self):
        vectors = [unit(0, 1, 0.01 * i) for i in range(10)] + [unit(1, 0.01 * i) for i in range(4)]
        cands = grouped(vectors, {41: [1.0] * 10 + [0.0] * 4}, [41])
        typed = statement(0, unit(1), text="a little of this", weight=0.4)
        scored = table(cands, [typed], history=rated(41), balance=0.05)
        listed = scoring.rank(scored, k=10, settings=scoring.Settings(balance=0.05, diversity=0))
        assert sum(1 for r in listed if r.scored.item_id > 10) == 1

    def test_a_generated_avoid_line_lowers_what_it_matches_but_removes_nothing(self):
        vectors = [unit(1, 0.05), unit(0.2, 1)]
        avoid = statement(1, unit(1), polarity=scoring.AVOID, own=False)
        close, aside = score(candidates(vectors), [avoid], balance=0.5)
        assert not close.removed and close.contributions["neg"] < 0
        assert aside.contributions["neg"] == 0


class TestDiversity:
    def test_mmr_skips_a_near_duplicate_of_an_item_already_chosen(self):
        vectors = [unit(1), unit(1, 0.01), unit(0.6, 1)]
        scored = score(
            candidates(vectors, popularity=[0, 0, 0]),
            [statement(0, unit(1)), statement(1, unit(0, 1), weight=0.8)],
        )
        by_id = {i + 1: v for i, v in enumerate(vectors)}
        plain = scoring.diversify(scored, by_id, k=2, diversity=0.0)
        varied = scoring.diversify(scored, by_id, k=2, diversity=0.5)
        assert [s.item_id for s in plain] == [1, 2]
        assert [s.item_id for s in varied] == [1, 3]

    def test_rank_drops_removed_and_excluded_items_and_numbers_from_one(self):
        scored = table(
            candidates([unit(1), unit(0, 1), unit(0, 1, 0.2), unit(0.1, 1, 0.1)]),
            [statement(0, unit(0, 1)), statement(1, unit(1), polarity=scoring.AVOID)],
        )
        listed = scoring.rank(scored, k=3, settings=scoring.Settings(diversity=0), exclude_ids=[4])
        assert [r.scored.item_id for r in listed] == [2, 3]
        assert [r.rank for r in listed] == [1, 2]


class TestCatalogStats:
    def test_a_remembered_line_has_the_moments_it_has_computed_afresh(self):
        rng = np.random.default_rng(3)
        items = rng.normal(size=(200, 16))
        stats = scoring.CatalogStats.from_vectors(items, np.ones(200))
        lines = rng.normal(size=(5, 16))
        expected = np.sqrt(np.einsum("ij,jk,ik->i", lines, stats.covariance, lines))
        first = stats.similarity_moments(lines[:3])
        both = stats.similarity_moments(lines)  # three remembered, two new
        assert np.array_equal(both[1], expected) and np.array_equal(first[1], expected[:3])
        assert np.array_equal(both[0], lines @ stats.mean)
        other = scoring.CatalogStats.from_vectors(2 * items, np.ones(200))
        assert not np.allclose(other.similarity_moments(lines)[1], expected)


class TestAbsence:
    def test_why_not_names_the_avoid_line_that_removed_it(self):
        scored = table(
            candidates([unit(1), unit(0, 1)]),
            [
                statement(0, unit(0, 1)),
                statement(1, unit(1), polarity=scoring.AVOID, text="Horror"),
            ],
        )
        listed = scoring.rank(scored, k=5, settings=scoring.Settings())
        absence = scoring.explain_absence(scored, 0, listed, settings=scoring.Settings())
        assert absence.reason == "avoided" and "“Horror”" in absence.message

    def test_why_not_names_the_avoid_line_that_pushed_it_down(self):
        # A generated avoid line lowers what it matches without removing it.
        vectors = [unit(1, 0.05 * i) for i in range(5)] + [unit(1, 0, 0.5)]
        avoid = statement(1, unit(0, 0, 1), polarity=scoring.AVOID, own=False, text="Gore")
        scored = table(candidates(vectors), [statement(0, unit(1)), avoid])
        settings = scoring.Settings(diversity=0)
        listed = scoring.rank(scored, k=3, settings=settings)
        row = scored.row_of(6)
        assert not scored.scored(row).removed and 6 not in [r.scored.item_id for r in listed]
        absence = scoring.explain_absence(scored, row, listed, settings=settings)
        assert absence.reason == "avoided" and "“Gore”" in absence.message
        assert "add a line" not in absence.message

    def test_why_not_gives_the_rank_of_an_item_below_the_list(self):
        vectors = [unit(1, 0.05 * i) for i in range(5)] + [unit(0.5, 1)]
        scored = table(candidates(vectors), [statement(0, unit(1))])
        settings = scoring.Settings(diversity=0)
        listed = scoring.rank(scored, k=3, settings=settings)
        absence = scoring.explain_absence(scored, 4, listed, settings=settings)
        assert absence.reason == "ranked" and absence.rank == 5
        far = scoring.explain_absence(scored, 5, listed, settings=settings)
        assert far.reason == "low_match"


GENRES = scoring.category_index(["Horror", "Western", "Sci-Fi", "Drama", "Comedy"])


def named(key, text, polarity=scoring.LIKE, weight=1.0, vector=None):
    """A line as the parser hands it over: its label read from its words."""
    vector = unit(0, 0, 0, 1) if vector is None else vector
    label = scoring.category_label(text, GENRES)
    return scoring.ProfileStatement(key, text, polarity, weight, vector, label, own=True)


def labelled(vectors, categories, **kwargs):
    """Candidates whose row i carries the categories in ``categories[i]``."""
    cands = candidates(vectors, **kwargs)
    names = {name for row in categories for name in row}
    rows = {name: np.array([name in row for row in categories]) for name in names}
    return scoring.Candidates(**{**cands.__dict__, "categories": rows})


class TestCategoryLines:
    def test_a_line_names_a_category_only_when_it_is_the_whole_line(self):
        for text in ("Horror", " horror. ", "HORROR!", "Westerns", "westerns", "sci-fi"):
            assert scoring.category_label(text, GENRES), text
        assert scoring.category_label("westerns", GENRES) == "Western"
        assert scoring.category_label("Comedies", GENRES) == "Comedy"
        for text in ("horror films set in space", "no horror", "Western movies", "Dram"):
            assert scoring.category_label(text, GENRES) == "", text

    def test_an_avoid_line_naming_a_category_removes_every_item_carrying_it(self):
        # The items' text is far from the word "Horror" (random-looking
        # vectors), as a horror film described by its plot can be.
        vectors = [unit(1, 0.2 * i) for i in range(6)]
        kinds = [("Horror",), ("Drama",), ("Horror", "Drama"), (), ("Horror",), ("Western",)]
        lines = [named(0, "Likes what is near", vector=unit(1)), named(1, "Horror", scoring.AVOID)]
        scored = table(labelled(vectors, kinds), lines)
        carried = [n for n, row in enumerate(kinds) if "Horror" in row]
        assert [n for n in range(6) if scored.removed[n]] == carried
        settings = scoring.Settings(diversity=0)
        listed = scoring.rank(scored, k=10, settings=settings)
        assert len(listed) == 3 and not {r.scored.item_id for r in listed} & {1, 3, 5}
        absence = scoring.explain_absence(scored, carried[0], listed, settings=settings)
        assert absence.reason == "avoided"
        assert absence.message == "It is filtered out by your line “Horror”."

    def test_a_weak_avoid_line_naming_a_category_lowers_its_items_without_removing_them(self):
        kinds = [("Horror",), ()]
        vectors = [unit(1), unit(1)]
        weak = named(1, "Horror", scoring.AVOID, weight=0.4)
        assert weak.weight < scoring.LABEL_REMOVE_WEIGHT
        horror, other = table(labelled(vectors, kinds), [weak]).all()
        assert not horror.removed
        assert horror.score == pytest.approx(other.score - 0.4)
        assert scoring.rationale(horror) == "Ranked lower as it is close to “Horror”."

    def test_a_like_line_naming_a_category_fully_matches_its_items_and_is_quoted(self):
        vectors = [unit(1), unit(1, 0.1), unit(0.9, 0.3)]
        kinds = [(), ("Western",), ()]
        line = named(0, "Westerns", weight=0.8)
        none, western, _ = table(labelled(vectors, kinds), [line], balance=0.5).all()
        assert western.contributions["pos"] >= 0.5 * 0.8 - 1e-9
        assert none.contributions["pos"] == 0
        assert [m.statement.text for m in western.matches] == ["Westerns"]
        assert scoring.rationale(western).startswith("Matches “Westerns”")

    def test_a_phrase_merely_containing_a_category_acts_only_on_meaning(self):
        kinds = [("Horror",), ("Western",)]
        vectors = [unit(1), unit(0, 1)]
        lines = [
            named(0, "horror films set in space", scoring.AVOID),
            named(1, "Western movies with trains"),
        ]
        assert [line.label for line in lines] == ["", ""]
        horror, western = table(labelled(vectors, kinds), lines).all()
        assert not horror.removed
        assert horror.contributions["neg"] == 0 and western.contributions["pos"] == 0

    @settings(max_examples=40, deadline=None)
    @given(seed=st.integers(0, 10_000), balance=st.floats(0.05, 1.0))
    def test_removing_a_cited_category_line_always_lowers_the_score(self, seed, balance):
        rng = np.random.default_rng(seed)
        vectors = rng.normal(size=(23, DIMS))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        names = ["Horror", "Western", "Drama"]
        lines = [
            named(i, names[i], weight=float(rng.uniform(0.2, 1.0)), vector=vectors[i])
            for i in range(3)
        ]
        kinds = [tuple(n for n in names if rng.random() < 0.3) for _ in range(20)]
        cands = labelled(list(vectors[3:]), kinds, cf=rng.uniform(0, 1, 20))
        before = score(cands, lines, balance=balance)
        for item in before:
            for match in item.matches:
                without = [line for line in lines if line.key != match.statement.key]
                changed = next(
                    s for s in score(cands, without, balance=balance) if s.item_id == item.item_id
                )
                assert changed.score < item.score


class TestLinesActingOnSeveralLabels:
    """ "no horror or westerns", "westerns and horror": one line, every label."""

    KINDS = [("Drama",)] * 10 + [("Western",)] * 4 + [("Horror",)] * 4

    def vectors(self):
        return [unit(0, 1, 0.01 * i) for i in range(10)] + [unit(1, 0.01 * i) for i in range(8)]

    def test_an_avoid_line_removes_the_items_of_each_label(self):
        line = statement(0, unit(0, 0, 0, 1), scoring.AVOID, labels=("Western", "Horror"))
        assert line.label == "Western" and line.labels == ("Western", "Horror")
        scored = table(labelled(self.vectors(), self.KINDS), [line])
        assert np.flatnonzero(scored.removed).tolist() == list(range(10, 18))

    def test_a_like_line_shares_its_places_among_its_labels_and_is_named_for_each(self):
        cands = labelled(self.vectors(), self.KINDS)
        cands = replace(
            cands,
            links=sparse.csr_matrix(np.array([[1.0] * 10 + [0.0] * 8])),
            sources=np.array([41], dtype=np.int64),
        )
        # Its words are nearest the Western items: alone they would take its places.
        line = statement(0, unit(1), text="westerns and horror", labels=("Western", "Horror"))
        scored = table(cands, [line], history=rated(41), balance=0.05)
        listed = scoring.rank(scored, k=10, settings=scoring.Settings(balance=0.05, diversity=0))
        kinds = [self.KINDS[r.scored.item_id - 1][0] for r in listed]
        assert kinds.count("Western") >= 1 and kinds.count("Horror") >= 1
        assert kinds.count("Western") + kinds.count("Horror") == 3
        # Each labelled item is a full match to the line, which the reasons name.
        for row in range(10, 18):
            assert scored.like_match[row, 0] >= 1.0
            assert scored.scored(row).matches[0].statement.key == 0
