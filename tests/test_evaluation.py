"""Offline evaluation: the metrics, the split, EASE, and ``manage.py evaluate``."""

import json
import math
import sys

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Item
from engine import collaborative, scoring
from engine.evaluation import metrics
from engine.evaluation.data import Catalog, Interactions
from engine.evaluation.embeddings import EmbeddingCache
from engine.evaluation.protocols import _Run
from engine.evaluation.splits import temporal_split
from engine.models import RecommendationLog
from profiles.models import Interaction, Profile, Statement
from tests.factories import make_interaction, make_item, make_user, write_jsonl, write_lines


class TestMetrics:
    # A ranking of items 0..9 (best first) against relevant items {2, 5, 30}:
    # hits at ranks 3 and 6, and item 30 not in the top 10.
    RANKED = [7, 8, 2, 9, 4, 5, 1, 0, 3, 6]
    RELEVANT = {2, 5, 30}

    def test_ndcg_divides_the_discounted_hits_by_a_perfect_lists(self):
        dcg = 1 / math.log2(4) + 1 / math.log2(7)
        ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
        assert metrics.ndcg_at_k(self.RANKED, self.RELEVANT, 10) == pytest.approx(dcg / ideal)
        assert metrics.ndcg_at_k([2, 5, 30], self.RELEVANT, 10) == pytest.approx(1.0)
        assert metrics.ndcg_at_k(self.RANKED, self.RELEVANT, 2) == 0.0

    def test_hit_rate_is_one_when_any_relevant_item_is_in_the_top_k(self):
        assert metrics.hit_rate_at_k(self.RANKED, self.RELEVANT, 3) == 1.0
        assert metrics.hit_rate_at_k(self.RANKED, self.RELEVANT, 2) == 0.0

    def test_recall_counts_hits_against_every_relevant_item(self):
        assert metrics.recall_at_k(self.RANKED, self.RELEVANT, 10) == pytest.approx(2 / 3)
        assert metrics.recall_at_k(self.RANKED, self.RELEVANT, 5) == pytest.approx(1 / 3)

    def test_reciprocal_rank_is_that_of_the_first_hit(self):
        assert metrics.reciprocal_rank(self.RANKED, self.RELEVANT) == pytest.approx(1 / 3)
        assert metrics.reciprocal_rank(self.RANKED, {99}) == 0.0

    def test_coverage_is_the_share_of_the_catalog_in_some_top_k(self):
        lists = [[0, 1, 2], [2, 3, 4], [0, 9, 8]]
        assert metrics.coverage(lists, n_items=20, k=2) == pytest.approx(5 / 20)

    def test_means_from_scores_agree_with_the_list_metrics(self):
        scores = np.full(40, -np.inf)
        scores[self.RANKED] = np.arange(10, 0, -1)  # the same order, best first
        scores[30] = -5.0  # ranked 11th of the scored items
        means = metrics.MetricMeans(n_items=40)
        means.add_scores(scores, self.RELEVANT)
        means.add_scores(np.arange(40.0), {39})  # a perfect list: item 39 first
        result = means.result()
        first = metrics.ndcg_at_k(self.RANKED, self.RELEVANT, 10)
        assert result["ndcg@10"] == pytest.approx((first + 1.0) / 2, abs=1e-6)
        assert result["hr@10"] == 1.0
        assert result["recall@20"] == pytest.approx((1.0 + 1.0) / 2)
        assert result["mrr"] == pytest.approx((1 / 3 + 1.0) / 2, abs=1e-6)
        # 10 items in the first top 10, 39..30 in the second; 30 is not in the first.
        assert result["coverage"] == pytest.approx(20 / 40)

    def test_ties_rank_in_item_order(self):
        assert metrics.ranking(np.array([1.0, 2.0, 2.0, 0.0])).tolist() == [1, 2, 0, 3]


def interactions(rows: list[tuple[int, int, str, float | None, float]]) -> Interactions:
    users, items, kinds, values, times = zip(*rows, strict=True)
    return Interactions(
        user=np.array(users),
        item=np.array(items),
        kind=np.array(kinds),
        value=np.array([np.nan if v is None else v for v in values]),
        time=np.array(times, dtype=float),
        people=[f"p{n}" for n in range(max(users) + 1)],
    )


class TestTemporalSplit:
    def random_data(self, seed: int = 3) -> Interactions:
        rng = np.random.default_rng(seed)
        rows = []
        for person in range(30):
            for item in rng.choice(60, size=int(rng.integers(1, 25)), replace=False):
                kind = str(rng.choice(["rating", "rating", "like", "dislike", "view"]))
                value = float(rng.choice([1.0, 2.5, 4.0, 5.0])) if kind == "rating" else None
                # Coarse times: many ties within a person's history.
                rows.append((person, int(item), kind, value, float(rng.integers(0, 8))))
        return interactions(rows)

    def test_the_test_set_is_each_persons_latest_fifth_of_positives_at_least_one(self):
        data = self.random_data()
        split = temporal_split(data, n_items=60, seed=0)
        for person in range(30):
            mine = data.positive & (data.user == person)
            liked = len(np.unique(data.item[mine]))
            tested = split.test & (data.user == person)
            expected = max(1, math.ceil(0.2 * liked)) if liked else 0
            assert tested.sum() == expected
            if liked:
                # Nothing trained on happened after the person's first test positive.
                cutoff = data.time[tested].min()
                assert (data.time[split.train & (data.user == person)] <= cutoff).all()
                assert (data.time[tested] >= data.time[mine & ~tested].max(initial=-1)).all()

    def test_no_test_interaction_is_in_training(self):
        data = self.random_data()
        split = temporal_split(data, n_items=60, seed=0)
        keys = data.pairs(60)
        assert not np.isin(keys[split.train], keys[split.test]).any()
        assert not (split.train & split.test).any()

    def test_a_like_and_a_rating_of_a_test_item_both_stay_out_of_training(self):
        data = interactions(
            [
                (0, 1, "rating", 5.0, 1.0),
                (0, 2, "rating", 4.0, 2.0),
                (0, 3, "like", None, 3.0),
                (0, 3, "rating", 5.0, 3.0),
                (0, 4, "dislike", None, 4.0),  # after the test positive: in neither set
            ]
        )
        split = temporal_split(data, n_items=5, seed=0)
        assert data.item[split.test].tolist() == [3]
        assert data.item[split.train].tolist() == [1, 2]

    def test_the_same_seed_gives_the_same_split(self):
        data = self.random_data()
        first = temporal_split(data, n_items=60, seed=4)
        again = temporal_split(data, n_items=60, seed=4)
        assert (first.test == again.test).all() and (first.train == again.train).all()


class TestEase:
    def test_weights_match_the_closed_form_solved_directly(self):
        X = np.array(
            [[1, 1, 0, 0, 1], [0, 1, 1, 0, 0], [1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 0, 0]],
            dtype=np.float64,
        )
        lam = 2.0
        P = np.linalg.inv(X.T @ X + lam * np.eye(5))
        expected = -P / np.diag(P)[np.newaxis, :]
        np.fill_diagonal(expected, 0.0)
        weights = collaborative.ease_fit(
            collaborative.interaction_matrix(*np.nonzero(X), n_users=5, n_items=5), lam
        )
        assert np.allclose(weights, expected, atol=1e-5)


class TestHistoryStrength:
    def test_stars_and_age_set_how_hard_an_item_pulls(self):
        # Serving (engine.person) and the evaluation both weight history with it.
        assert scoring.history_strength("like", None) == 1.0
        assert scoring.history_strength("rating", 5.0) == 1.0
        assert scoring.history_strength("rating", 4.0) == 0.5
        assert scoring.history_strength("rating", 3.0) == 0.0
        year = scoring.RECENCY_HALF_LIFE_DAYS
        assert scoring.history_strength("rating", 5.0, age_days=year) == pytest.approx(0.5)


class TestEmbeddingCache:
    def test_a_text_is_encoded_once_per_model(self, tmp_path):
        encoded: list[str] = []

        def encode(texts):
            encoded.extend(texts)
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

        first = EmbeddingCache(tmp_path, "model-a").vectors(["ab", "abc", "ab"], encode)
        again = EmbeddingCache(tmp_path, "model-a").vectors(["abc", "ab"], encode)
        assert encoded == ["ab", "abc"]
        assert again.tolist() == [first[1].tolist(), first[0].tolist()]
        EmbeddingCache(tmp_path, "model-b").vectors(["ab"], encode)
        assert encoded == ["ab", "abc", "ab"]


# A tiny catalog: genres of ten items, each genre with its own tags.
GENRES = {
    "Space opera": ["starships", "galactic empire", "aliens"],
    "Cozy mystery": ["amateur sleuth", "village", "murder"],
    "Cooking": ["recipes", "baking", "kitchen"],
    "Horror": ["haunted house", "ghosts", "gore"],
    "Gardening": ["roses", "vegetable beds", "compost"],
    "Sailing": ["yachts", "ocean crossing", "navigation"],
}
# Genres nobody has read yet: where a steering "Likes" line can take a reader.
UNREAD = {
    "Chess": ["openings", "endgames", "grandmasters"],
    "Birdwatching": ["warblers", "binoculars", "migration"],
    "Jazz": ["saxophone", "bebop", "improvisation"],
}


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    """12 readers: each loves one genre (4-5 stars) and dislikes another (1 star)."""
    folder = tmp_path_factory.mktemp("evaluation")
    items, rows = [], ["user,item,kind,value,timestamp"]
    for g, (genre, tags) in enumerate({**GENRES, **UNREAD}.items()):
        for n in range(10):
            items.append(
                {
                    "external_id": f"g{g}-{n}",
                    "title": f"{genre} story {n}",
                    "categories": [genre],
                    "tags": [tags[n % 3], tags[(n + 1) % 3]],
                    "description": f"A {genre.lower()} book about {tags[n % 3]}.",
                }
            )
    rng = np.random.default_rng(7)
    for person in range(12):
        loved, disliked = person % len(GENRES), (person + 1) % len(GENRES)
        picks = [(loved, n, 5.0 if n % 2 else 4.0) for n in rng.choice(10, 8, replace=False)]
        picks += [(disliked, n, 1.0) for n in rng.choice(10, 3, replace=False)]
        order = rng.permutation(len(picks))
        for step, index in enumerate(order):
            genre, n, value = picks[index]
            rows.append(f"reader{person},g{genre}-{n},rating,{value},{1_700_000_000 + step * 60}")
    return (
        write_jsonl(folder / "items.jsonl", items),
        write_lines(folder / "interactions.csv.gz", rows, compress=True),
    )


def evaluate(tiny_dataset, path, cache, *extra):
    items, interactions_path = tiny_dataset
    call_command(
        "evaluate",
        "--items",
        str(items),
        "--interactions",
        str(interactions_path),
        "--cache-dir",
        str(cache),
        "--json",
        str(path),
        *extra,
    )
    return json.loads(path.read_text())


def metric_shape():
    return {"ndcg@10", "hr@10", "recall@20", "mrr", "coverage"}


@pytest.fixture(scope="module")
def tiny_report(tiny_dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return evaluate(tiny_dataset, folder / "out.json", folder / "cache")


class TestEvaluationReport:
    def test_has_the_documented_shape(self, tiny_report):
        assert tiny_report["dataset"] == {"items": 90, "users": 12, "interactions": 132}
        protocols = tiny_report["protocols"]
        expected_methods = {
            "warm": {
                "hybrid",
                "ease",
                "itemknn",
                "popular",
                "content",
                "profile_only",
                "hybrid_serving",
            },
            "cold_item": {"hybrid", "content", "popular", "hybrid_serving"},
            "cold_user": {"hybrid", "popular"},
        }
        for name, methods in expected_methods.items():
            assert set(protocols[name]["methods"]) == methods
            for values in protocols[name]["methods"].values():
                assert set(values) == metric_shape()
                assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in values.values())
        steering = protocols["steering"]
        for key in (
            "like_share_before",
            "like_share_after",
            "like_success",
            "avoid_remaining_before",
            "avoid_remaining_after",
            "ndcg_retained",
        ):
            assert isinstance(steering[key], float)
        assert isinstance(steering["cases"], int) and steering["cases"] > 0
        assert set(protocols["faithfulness"]) >= {"rate", "cases"}
        assert protocols["faithfulness"]["cases"] > 0
        assert isinstance(tiny_report["seconds"], float)
        assert set(protocols["cold_user"]["curve"]) == {"0", "1", "3", "5"}

    def test_recommends_what_people_went_on_to_like(self, tiny_report):
        # Each reader loves one genre of ten: taste-aware methods find the
        # held-out items of that genre; popularity cannot tell readers apart.
        methods = tiny_report["protocols"]["warm"]["methods"]
        assert methods["hybrid"]["ndcg@10"] > 2 * methods["popular"]["ndcg@10"]
        assert methods["profile_only"]["hr@10"] > 0.8

    def test_a_newcomer_who_types_what_they_like_gets_more_than_popularity(self, tiny_report):
        # No history: the typed line names the genre the reader loves (from
        # their training history), and finds its popular books.
        arrived_empty = tiny_report["protocols"]["cold_user"]["curve"]["0"]
        assert arrived_empty["hybrid_typed"]["ndcg@10"] > 2 * arrived_empty["popular"]["ndcg@10"]

    def test_a_newcomer_who_types_titles_they_loved_gets_their_neighbours(self, tiny_report):
        # No history: two lines name the titles of books the reader rated
        # highest in training; each stands for its book, whose trained
        # neighbours (the genre's other readers' books) fill the list.
        arrived_empty = tiny_report["protocols"]["cold_user"]["curve"]["0"]
        titles = arrived_empty["hybrid_typed_titles"]["ndcg@10"]
        assert titles > 2 * arrived_empty["popular"]["ndcg@10"]

    def test_steering_lines_move_the_list(self, tiny_report):
        steering = tiny_report["protocols"]["steering"]
        # "Likes: <a genre the reader never touched>" brings it into the list...
        assert steering["like_cases"] > 0
        assert steering["like_share_after"] > steering["like_share_before"] + 0.3
        # ... and "Avoids: <a genre in the list>" takes it out.
        assert steering["avoid_cases"] > 0
        assert steering["avoid_remaining_after"] < steering["avoid_remaining_before"] / 2

    def test_sentences_about_a_category_steer_as_its_bare_name_does(self, tiny_report):
        # "I'm a big fan of jazz", "steer clear of horror": read by the parser,
        # acting on the label as the bare name does.
        steering = tiny_report["protocols"]["steering_text"]
        assert steering["like_cases"] > 0 and steering["avoid_cases"] > 0
        assert steering["like_share_after"] > steering["like_share_before"] + 0.3
        assert steering["avoid_remaining_after"] == 0.0
        assert 0.0 < steering["avoid_others_kept"] <= 1.0

    def test_deleting_a_quoted_statement_lowers_the_items_score(self, tiny_report):
        assert tiny_report["protocols"]["faithfulness"]["rate"] == 1.0


@pytest.mark.django_db
class TestEvaluateCommand:
    def test_the_same_seed_gives_the_same_report(self, tiny_dataset, tiny_report, tmp_path):
        # A fresh cache: the vectors are encoded again, and nothing changes.
        again = evaluate(
            tiny_dataset, tmp_path / "b.json", tmp_path / "cache", "--plots", tmp_path / "tiny"
        )
        assert {**again, "seconds": 0} == {**tiny_report, "seconds": 0}
        # --plots draws the three charts docs/EVALUATION.md shows.
        for chart in ("warm", "cold-users", "steering"):
            assert (tmp_path / f"tiny-{chart}.png").read_bytes().startswith(b"\x89PNG")

    def test_leaves_no_trace_in_the_site_database(
        self, tiny_dataset, tmp_path, django_assert_num_queries
    ):
        reader = make_user("reader0")  # the same name as a person in the files
        item = make_item(external_id="g0-1")
        make_interaction(reader, item, value=5.0)
        models = (Item, Interaction, Profile, Statement, RecommendationLog)
        before = [model.objects.count() for model in models]
        with django_assert_num_queries(0):
            evaluate(tiny_dataset, tmp_path / "out.json", tmp_path / "cache")
        assert [model.objects.count() for model in models] == before

    def test_an_unknown_protocol_is_refused_by_name(self, tiny_dataset, tmp_path):
        with pytest.raises(CommandError, match="--protocols: unknown 'warmth'"):
            evaluate(
                tiny_dataset, tmp_path / "out.json", tmp_path / "cache", "--protocols", "warmth"
            )

    def test_an_interaction_with_an_unknown_item_names_its_line_and_field(
        self, tiny_dataset, tmp_path
    ):
        items, _ = tiny_dataset
        bad = write_lines(
            tmp_path / "bad.csv",
            ["user,item,kind,value,timestamp", "a,g0-1,rating,4,1", "a,nope,like,,2"],
        )
        with pytest.raises(CommandError, match=r"bad.csv, line 3, field 'item'"):
            evaluate((items, bad), tmp_path / "out.json", tmp_path / "cache")

    def test_needs_a_dataset_and_at_least_one_user(self, tiny_dataset, tmp_path):
        with pytest.raises(CommandError, match="--items and --interactions, or --movielens"):
            call_command("evaluate")
        with pytest.raises(CommandError, match="--users must be at least 1"):
            evaluate(tiny_dataset, tmp_path / "out.json", tmp_path / "cache", "--users", "0")

    def test_plots_without_matplotlib_say_what_to_install_before_the_run(
        self, tiny_dataset, tmp_path, monkeypatch
    ):
        # matplotlib is a tool's package (requirements-dev.txt): a machine with
        # only the site's requirements has none. None in sys.modules is how
        # Python itself marks a module that cannot be imported.
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(CommandError, match="--plots needs matplotlib.*requirements-dev.txt"):
            evaluate(tiny_dataset, tmp_path / "out.json", tmp_path / "cache", "--plots", tmp_path)
        # Refused before any work: no vectors were encoded, no report written.
        assert not (tmp_path / "cache").exists()
        assert not (tmp_path / "out.json").exists()


class TestTypedTitles:
    def run(self, titles, categories) -> _Run:
        run = _Run.__new__(_Run)
        run.catalog = Catalog(
            external_ids=[str(n) for n in range(len(titles))],
            titles=titles,
            categories=categories,
            tags=[() for _ in titles],
            texts=titles,
        )
        run._titles, run._category_keys = None, set()
        return run

    def test_a_typed_title_stands_for_its_item_as_the_service_reads_it(self):
        run = self.run(
            ["Heat", "Heat", "The Matrix", "Tied", "Tied", "Alien", "Blade"],
            [("Crime",), ("Crime",), ("Action",), (), (), ("Horror",), ("Alien",)],
        )
        popularity = np.array([2, 9, 1, 4, 4, 3, 1])
        assert run._title_item("Heat", popularity) == 1  # the most popular of a shared title
        assert run._title_item("Matrix, The", popularity) == 2
        assert run._title_item("Tied", popularity) is None  # a tie: nothing says which
        assert run._title_item("Alien", popularity) is None  # a category's name wins
        assert run._title_item("Blade Runner", popularity) is None  # no such title
