"""The collaborative core (engine.collaborative): plain arrays, no database."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from engine import collaborative as cf
from tests.conftest import PROJECT_DIR

# Three taste groups of ten items each; items 30 and 31 are always taken together.
GROUPS = [range(0, 10), range(10, 20), range(20, 30)]
PAIR = (30, 31)
N_ITEMS = 32


def taste_data(seed: int = 0, people: int = 90) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user, item, timestamp) positives: each person likes six items of one
    group; every third person also likes both items of PAIR."""
    rng = np.random.default_rng(seed)
    users, items = [], []
    for person in range(people):
        liked = list(rng.choice(list(GROUPS[person % 3]), size=6, replace=False))
        if person % 3 == 0:
            liked += list(PAIR)
        users += [person] * len(liked)
        items += liked
    times = rng.integers(0, 1_000_000, size=len(users))
    return np.asarray(users), np.asarray(items), times


def taste_matrix(seed: int = 0) -> sparse.csr_matrix:
    users, items, _ = taste_data(seed)
    return cf.interaction_matrix(users, items, n_users=users.max() + 1, n_items=N_ITEMS)


def top(weights, item: int) -> int:
    row = weights[item].toarray().ravel() if sparse.issparse(weights) else weights[item]
    return int(np.argmax(row))


class TestInteractionMatrix:
    def test_a_pair_given_twice_is_one_positive(self):
        matrix = cf.interaction_matrix(
            np.array([0, 0, 1]), np.array([2, 2, 0]), n_users=2, n_items=3
        )
        assert matrix.toarray().tolist() == [[0, 0, 1], [1, 0, 0]]


class TestEase:
    def test_items_always_taken_together_are_each_others_top_neighbour(self):
        weights = cf.ease_fit(taste_matrix(), lam=10.0)
        assert top(weights, PAIR[0]) == PAIR[1]
        assert top(weights, PAIR[1]) == PAIR[0]

    def test_no_item_is_drawn_to_another_taste_group(self):
        weights = cf.ease_fit(taste_matrix(), lam=10.0)
        for group in GROUPS:
            others = [other for other in GROUPS if other is not group]
            for item in group:
                assert not any(top(weights, item) in other for other in others)

    def test_weights_match_the_closed_form_with_a_zero_diagonal(self):
        X = taste_matrix()
        lam = 25.0
        gram = (X.T @ X).toarray().astype(np.float64)
        inverse = np.linalg.inv(gram + lam * np.eye(N_ITEMS))
        expected = -inverse / np.diag(inverse)[np.newaxis, :]
        np.fill_diagonal(expected, 0)

        weights = cf.ease_fit(X, lam)

        assert np.allclose(weights, expected, atol=1e-5)
        assert not np.diag(weights).any()

    def test_lambda_must_be_positive(self):
        with pytest.raises(ValueError):
            cf.ease_fit(taste_matrix(), lam=0)


class TestItemKnn:
    def test_items_always_taken_together_are_each_others_top_neighbour(self):
        weights = cf.itemknn_fit(taste_matrix(), shrinkage=10, k=5)
        assert top(weights, PAIR[0]) == PAIR[1]
        assert top(weights, PAIR[1]) == PAIR[0]

    def test_shrinkage_lowers_pairs_seen_together_by_few_people(self):
        # Items 0 and 1: two people, always together; items 2 and 3: twenty
        # people, always together. Both pairs have cosine 1.
        users = np.concatenate([[0, 0, 1, 1], np.repeat(np.arange(2, 22), 2)])
        items = np.concatenate([[0, 1, 0, 1], np.tile([2, 3], 20)])
        X = cf.interaction_matrix(users, items, n_users=22, n_items=4)

        plain = cf.itemknn_fit(X, shrinkage=0, k=3).toarray()
        shrunk = cf.itemknn_fit(X, shrinkage=10, k=3).toarray()

        assert plain[0, 1] == pytest.approx(plain[2, 3]) == pytest.approx(1.0)
        assert shrunk[0, 1] == pytest.approx(2 / 12)
        assert shrunk[2, 3] == pytest.approx(20 / 30)

    def test_keeps_at_most_k_neighbours_and_never_the_item_itself(self):
        weights = cf.itemknn_fit(taste_matrix(), shrinkage=10, k=3)
        assert (np.diff(weights.indptr) <= 3).all()
        assert not weights.diagonal().any()

    def test_small_blocks_give_the_same_weights(self, monkeypatch):
        """The blocks that keep large catalogs within memory change nothing."""
        whole = cf.itemknn_fit(taste_matrix(), shrinkage=10, k=5).toarray()
        monkeypatch.setattr(cf, "_KNN_BLOCK_ENTRIES", 40)
        blocked = cf.itemknn_fit(taste_matrix(), shrinkage=10, k=5).toarray()
        assert np.array_equal(whole, blocked)


class TestTopNeighbours:
    WEIGHTS = np.array(
        [
            [0.0, 0.5, -0.2, 0.9],
            [0.1, 0.0, 0.3, 0.0],
            [-0.4, -0.1, 0.0, -0.3],
            [0.2, 0.2, 0.7, 0.0],
        ],
        dtype=np.float32,
    )

    def test_keeps_the_strongest_weights_in_size_largest_first(self):
        neighbours = cf.top_neighbours(self.WEIGHTS, 2)
        rows = [(neighbours.of(i)[0].tolist(), neighbours.of(i)[1].tolist()) for i in range(4)]
        assert rows[0] == ([3, 1], pytest.approx([0.9, 0.5]))
        assert rows[1] == ([2, 0], pytest.approx([0.3, 0.1]))
        # Negative weights count by their size: they correct a person's sum.
        assert rows[2] == ([0, 3], pytest.approx([-0.4, -0.3]))
        assert rows[3] == ([2, 0], pytest.approx([0.7, 0.2]))  # a tie: the lower index first

    def test_sparse_weights_give_the_same_lists(self):
        dense = cf.top_neighbours(self.WEIGHTS, 2)
        from_sparse = cf.top_neighbours(sparse.csr_matrix(self.WEIGHTS), 2)
        assert np.array_equal(dense.indptr, from_sparse.indptr)
        assert np.array_equal(dense.indices, from_sparse.indices)
        assert np.allclose(dense.scores, from_sparse.scores)

    def test_asking_for_more_than_the_catalog_keeps_every_weight_but_zeros(self):
        neighbours = cf.top_neighbours(self.WEIGHTS, 10)
        assert neighbours.counts().tolist() == [3, 2, 3, 3]


class TestUserScores:
    def test_sums_the_history_rows_and_never_ranks_the_history(self):
        weights = TestTopNeighbours.WEIGHTS
        scores = cf.user_scores(weights, [0, 1])
        assert scores[2] == pytest.approx(0.1)
        assert scores[3] == pytest.approx(0.9)
        assert np.isneginf(scores[[0, 1]]).all()

    def test_sparse_weights_score_the_same(self):
        weights = TestTopNeighbours.WEIGHTS
        assert np.array_equal(
            cf.user_scores(weights, [3]), cf.user_scores(sparse.csr_matrix(weights), [3])
        )


class TestValidationSplit:
    def test_holds_out_each_persons_latest_positives(self):
        users = np.array([0] * 10 + [1] * 2)
        times = np.array([5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 1, 2])
        held = cf.validation_split(users, times, share=0.2, min_history=3)
        # Person 0: the latest 20% of 10, times 9 and 10. Person 1 has too few.
        assert sorted(times[held].tolist()) == [9, 10]
        assert not held[users == 1].any()

    def test_at_least_one_and_at_most_max_holdout(self):
        users = np.array([0] * 3 + [1] * 100)
        times = np.arange(103)
        held = cf.validation_split(users, times, share=0.2, max_holdout=10)
        assert held[users == 0].sum() == 1
        assert held[users == 1].sum() == 10

    def test_ties_are_broken_the_same_way_for_a_seed(self):
        users = np.repeat(np.arange(50), 6)
        times = np.zeros(len(users))  # one session each: every time ties
        first = cf.validation_split(users, times, seed=3)
        assert np.array_equal(first, cf.validation_split(users, times, seed=3))
        assert not np.array_equal(first, cf.validation_split(users, times, seed=4))

    def test_max_users_validates_on_a_sample(self):
        users = np.repeat(np.arange(50), 5)
        held = cf.validation_split(users, np.arange(len(users)), max_users=7)
        assert len(np.unique(users[held])) == 7


class TestTuning:
    def test_returns_a_lambda_of_the_grid_and_every_score(self):
        users, items, times = taste_data()
        held = cf.validation_split(users, times)
        shape = {"n_users": users.max() + 1, "n_items": N_ITEMS}
        X_train = cf.interaction_matrix(users[~held], items[~held], **shape)
        X_held = cf.interaction_matrix(users[held], items[held], **shape)
        grid = (1.0, 10.0, 100.0)

        best, scores = cf.ease_tune(X_train, X_held, grid, k=5)

        assert best in grid
        assert set(scores) == set(grid)
        assert scores[best]["ndcg"] == max(s["ndcg"] for s in scores.values())
        # Taste groups are easy: the held-out items rank well above chance.
        assert scores[best]["recall"] > 0.5

    def test_metrics_agree_with_ranking_each_person_by_hand(self):
        users, items, times = taste_data()
        held = cf.validation_split(users, times)
        shape = {"n_users": users.max() + 1, "n_items": N_ITEMS}
        X_train = cf.interaction_matrix(users[~held], items[~held], **shape)
        X_held = cf.interaction_matrix(users[held], items[held], **shape)
        weights = cf.ease_fit(X_train, 10.0)

        metrics = cf.ranking_metrics(weights, X_train, X_held, k=5)

        recalls = []
        for person in np.flatnonzero(np.diff(X_held.indptr)):
            scores = cf.user_scores(weights, X_train[person].indices)
            ranked = np.argsort(-scores, kind="stable")[:5]
            wanted = X_held[person].indices
            recalls.append(np.isin(ranked, wanted).sum() / min(5, len(wanted)))
        assert metrics["users"] == len(recalls)
        assert metrics["recall"] == pytest.approx(np.mean(recalls))


class TestTrain:
    CONFIG = cf.TrainingConfig(lambdas=(1.0, 10.0, 100.0), neighbours=5, k=5)

    def test_small_catalogs_use_ease_with_a_tuned_lambda(self):
        result = cf.train(*taste_data(), self.CONFIG)
        assert result.algorithm == cf.EASE
        assert result.params["lambda"] in self.CONFIG.lambdas
        assert set(result.params["lambda_grid"]) == {"1.0", "10.0", "100.0"}
        assert result.params["validation"]["users"] > 0

    def test_above_the_dense_limit_item_knn_is_used(self):
        config = cf.TrainingConfig(dense_max_items=N_ITEMS - 1, neighbours=5)
        result = cf.train(*taste_data(), config)
        assert result.algorithm == cf.ITEMKNN
        assert "lambda" not in result.params
        assert result.params["validation"]["users"] > 0

    @pytest.mark.parametrize("dense_max_items", [N_ITEMS, 0])
    def test_neighbour_lists_name_the_callers_item_ids(self, dense_max_items):
        users, items, times = taste_data()
        config = cf.TrainingConfig(dense_max_items=dense_max_items, neighbours=5)
        result = cf.train(users, items + 1000, times, config)
        lists = {item: (ids, scores) for item, ids, scores in result.neighbour_lists()}
        assert lists[1000 + PAIR[0]][0][0] == 1000 + PAIR[1]
        for ids, scores in lists.values():
            assert len(ids) <= 5
            assert scores == sorted(scores, reverse=True)

    def test_items_below_the_minimum_support_get_no_neighbours(self):
        users, items, times = taste_data()
        # Item 99: one person only.
        users, items, times = np.append(users, 0), np.append(items, 99), np.append(times, 1)
        result = cf.train(users, items, times, replace(self.CONFIG, min_support=2))
        assert 99 not in result.item_ids
        assert all(99 not in ids for _, ids, _ in result.neighbour_lists())
        assert result.params["items_below_support"] == 1

    def test_a_repeated_positive_counts_once(self):
        users, items, times = taste_data()
        doubled = cf.train(
            np.concatenate([users, users]),
            np.concatenate([items, items]),
            np.concatenate([times, times - 5]),
            self.CONFIG,
        )
        assert doubled.interactions == len(users)

    def test_the_same_data_and_seed_train_the_same_model(self):
        first = cf.train(*taste_data(), self.CONFIG)
        second = cf.train(*taste_data(), self.CONFIG)
        assert first.params == second.params
        assert first.neighbour_lists() == second.neighbour_lists()

    def test_no_positives_train_an_empty_model(self):
        empty = np.zeros(0, dtype=np.int64)
        result = cf.train(empty, empty, empty, self.CONFIG)
        assert (result.items, result.users, result.neighbour_lists()) == (0, 0, [])


class TestFingerprint:
    def test_order_does_not_matter_but_content_and_configuration_do(self):
        users, items, times = taste_data()
        config = cf.TrainingConfig()
        base = cf.data_fingerprint(users, items, times, config)
        shuffled = np.random.default_rng(1).permutation(len(users))
        assert (
            cf.data_fingerprint(users[shuffled], items[shuffled], times[shuffled], config) == base
        )

        moved = times.copy()
        moved[0] += 1
        assert cf.data_fingerprint(users, items, moved, config) != base
        assert cf.data_fingerprint(users[1:], items[1:], times[1:], config) != base
        other = cf.TrainingConfig(neighbours=10)
        assert cf.data_fingerprint(users, items, times, other) != base


class TestSparseCatalog:
    """A shop's catalog: most items have no positive at all, a few many."""

    def sparse_data(self):
        # The taste groups' items spread over 20,000 ids, and a long tail of
        # items one person each took.
        users, items, times = taste_data()
        ids = np.random.default_rng(2).choice(20_000, size=N_ITEMS, replace=False)
        tail = np.arange(20_000, 20_300)
        return (
            np.concatenate([users, tail % 90]),
            np.concatenate([ids[items], tail]),
            np.concatenate([times, np.zeros(len(tail))]),
            ids,
        )

    def test_item_knn_keeps_its_rows_as_the_full_top_k_would(self):
        """Training takes item-kNN's rows as they come (already each item's top
        k, best first): the same lists a second top-k pass gives."""
        users, items, times, _ = self.sparse_data()
        config = cf.TrainingConfig(dense_max_items=0, neighbours=5)
        result = cf.train(users, items, times, config)
        indexed = cf._Indexed.of(users, items, times, config.min_support)
        _, _, matrix = indexed.matrices(config)
        weights = cf.itemknn_fit(matrix, shrinkage=config.shrinkage, k=config.neighbours)
        again = cf.top_neighbours(weights, config.neighbours)
        np.testing.assert_array_equal(result.neighbours.indptr, again.indptr)
        np.testing.assert_array_equal(result.neighbours.indices, again.indices)
        np.testing.assert_array_equal(result.neighbours.scores, again.scores)

    def test_items_nobody_took_get_no_row_and_the_taste_pairs_survive_the_tail(self):
        users, items, times, ids = self.sparse_data()
        result = cf.train(users, items, times, cf.TrainingConfig(dense_max_items=0, neighbours=5))
        rows = {item: neighbours for item, neighbours, _ in result.neighbour_rows()}
        assert len(result.item_ids) == N_ITEMS + 300  # only items someone took
        assert rows[int(ids[PAIR[0]])][0] == int(ids[PAIR[1]])
        pair = {int(ids[i]) for i in PAIR}
        for number, group in enumerate(GROUPS):
            members = {int(ids[i]) for i in group}
            # The first group's people also take the pair.
            near = members | pair if number == 0 else members
            for item in members:
                assert rows[item][0] in near

    def test_a_large_sparse_catalog_trains_within_bounded_memory(self):
        """50,000 items, 200,000 positives drawn with skew (bench/training_scale.py),
        in a child process: peak memory well under a gigabyte."""
        script = (
            "import json, numpy as np\n"
            "from bench.training_scale import draw_positives, peak_memory_mib\n"
            "from engine import collaborative as cf\n"
            "users, items, times = draw_positives(50_000, 200_000, 20_000)\n"
            "result = cf.train(users, items, times, cf.TrainingConfig())\n"
            "rows = sum(1 for _ in result.neighbour_rows())\n"
            "print(json.dumps({'algorithm': result.algorithm, 'rows': rows,"
            " 'most': int(result.neighbours.counts().max()), 'items': result.items,"
            " 'peak': peak_memory_mib()}))\n"
        )
        child = subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert child.returncode == 0, child.stderr
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        assert figures["algorithm"] == cf.ITEMKNN
        assert figures["most"] <= cf.TrainingConfig().neighbours
        assert figures["rows"] > 0.9 * figures["items"]
        assert figures["peak"] < 800
