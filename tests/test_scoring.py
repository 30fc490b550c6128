"""The hybrid scoring core (engine.scoring): plain numpy, no database."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def statement(key, vector, polarity=scoring.LIKE, weight=1.0, text=None):
    return scoring.ProfileStatement(key, text or f"line {key}", polarity, weight, vector)


def candidates(vectors, *, popularity=None, cf=None, sources=None):
    vectors = np.stack(vectors).astype(np.float32)
    n = len(vectors)
    return scoring.Candidates(
        ids=np.arange(1, n + 1, dtype=np.int64),
        vectors=vectors,
        popularity=np.asarray(popularity if popularity is not None else [10] * n, dtype=float),
        cf=np.asarray(cf if cf is not None else [0.0] * n, dtype=float),
        cf_sources=sources or {},
    )


def table(cands, statements, *, history=None, **settings_fields):
    return scoring.score_candidates(
        cands, statements, history or {}, STATS, scoring.Settings(**settings_fields)
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
        assert words[1].contributions["cf"] == 0 and history[0].contributions["pos"] == 0

    def test_personalisation_off_leaves_only_popularity(self):
        cands = candidates([unit(1), unit(0, 1)], popularity=[5, 300], cf=[1.0, 0.0])
        scored = score(cands, [statement(0, unit(1))], personalised=False)
        assert [s.contributions["pos"] + s.contributions["cf"] for s in scored] == [0, 0]
        assert scored[1].score > scored[0].score


class TestFaithfulness:
    def test_the_rationale_names_only_contributing_terms_largest_first(self):
        (item,) = score(
            candidates([unit(1, 0.1)], cf=[0.2]), [statement(0, unit(1), text="Sea stories")]
        )
        assert item.named_terms()[0] == "pos"
        assert all(item.contributions[term] for term in item.named_terms())
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


class TestCollaborative:
    def test_scores_add_up_over_history_and_name_their_sources(self):
        history = [
            scoring.HistoryItem(1, "A", "you rated 5", 1.0),
            scoring.HistoryItem(2, "B", "you rated 4", 0.5),
        ]
        scores, sources = scoring.collaborative_scores(
            history, {1: [(10, 0.8), (11, 0.2)], 2: [(10, 0.4), (12, 0.9)]}
        )
        assert scores[10] == 1.0  # the most pointed-at item
        assert scores[11] < scores[12] < scores[10]
        assert sources[10][0][0] == 1 and abs(sum(s for _, s in sources[10]) - 1) < 1e-9

    def test_negative_neighbour_weights_add_nothing(self):
        scores, _ = scoring.collaborative_scores(
            [scoring.HistoryItem(1, "A", "you liked", 1.0)], {1: [(10, 0.5), (11, -0.3)]}
        )
        assert set(scores) == {10}


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
    return scoring.ProfileStatement(key, text, polarity, weight, vector, label)


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
