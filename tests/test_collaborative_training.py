"""Training the collaborative model from the database, and reading it for serving."""

import io
import sys
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from catalog.importers import read_items_jsonl
from catalog.models import Item
from catalog.services import items_import
from engine import collaborative, receivers, tasks, training
from engine.models import CollaborativeModel, ItemNeighbours
from profiles.importers import InteractionRow, read_interactions_csv
from profiles.models import Interaction
from profiles.services import interactions_import
from tests import test_celery_worker
from tests.conftest import SAMPLE_INTERACTIONS, SAMPLE_ITEMS
from tests.factories import make_interaction, make_item, make_user

# A real worker, as in tests/test_celery_worker.py.
worker = test_celery_worker.worker


@pytest.fixture
def sample_readers(db):
    """The sample catalog and the sample readers' interactions (no embeddings:
    the collaborative model never reads them)."""
    items_import(rows=read_items_jsonl(SAMPLE_ITEMS))
    interactions_import(rows=read_interactions_csv(SAMPLE_INTERACTIONS))


@pytest.fixture
def shelf(db):
    """Two books always liked together by five people, a third liked with
    each of them by one person each, and a book only one person liked."""
    books = {name: make_item(name) for name in ["dune", "hyperion", "emma", "lonely"]}
    people = [make_user() for _ in range(7)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n, person in enumerate(people[:5]):
        make_interaction(person, books["dune"], value=5.0, timestamp=start + timedelta(n))
        make_interaction(person, books["hyperion"], kind="like", timestamp=start + timedelta(n))
    make_interaction(people[5], books["emma"], value=4.5, timestamp=start)
    make_interaction(people[5], books["dune"], value=4.0, timestamp=start)
    make_interaction(people[6], books["emma"], value=4.0, timestamp=start)
    make_interaction(people[6], books["hyperion"], kind="like", timestamp=start)
    make_interaction(people[6], books["lonely"], value=5.0, timestamp=start)
    return books


def neighbours_of(model, item) -> list[int]:
    return [n for n, _ in training.item_neighbours(model_id=model.pk, item_ids=[item.pk])[item.pk]]


class TestPositives:
    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            ("rating", 5.0),
            ("rating", 4.0),
            ("rating", 3.5),
            ("rating", 0.5),
            ("like", None),
            ("dislike", None),
            ("not_interested", None),
            ("view", None),
        ],
    )
    def test_the_query_agrees_with_interaction_is_positive(self, owner, kind, value):
        interaction = make_interaction(owner, make_item(), kind=kind, value=value)
        selected = Interaction.objects.filter(training.POSITIVE, pk=interaction.pk).exists()
        assert selected == interaction.is_positive


class TestCollaborativeTrain:
    def test_items_liked_together_become_each_others_top_neighbours(self, shelf):
        model = training.collaborative_train()

        assert model.is_active and model.algorithm == "ease"
        assert neighbours_of(model, shelf["dune"])[0] == shelf["hyperion"].pk
        assert neighbours_of(model, shelf["hyperion"])[0] == shelf["dune"].pk
        assert (model.items, model.users, model.interactions) == (4, 7, 15)
        assert model.params["lambda"] in training.training_config().lambdas
        assert model.seconds > 0

    def test_items_below_the_minimum_support_are_left_out(self, shelf, settings):
        settings.COLLABORATIVE_MIN_SUPPORT = 2

        model = training.collaborative_train()

        # One person liked "lonely".
        assert neighbours_of(model, shelf["lonely"]) == []
        assert model.items == 3
        assert model.params["items_below_support"] == 1

    def test_writes_one_row_per_item_with_neighbours_on_the_sample(self, sample_readers):
        model = training.collaborative_train()

        rows = ItemNeighbours.objects.filter(model=model)
        # 114 of the 150 sample items were liked by someone.
        assert rows.count() == model.params["items_with_neighbours"] > 100
        assert model.params["neighbours_kept"] == sum(len(r.neighbour_ids) for r in rows)
        for row in rows:
            assert row.item_id not in row.neighbour_ids
            assert len(row.neighbour_ids) == len(row.scores) <= settings.COLLABORATIVE_NEIGHBOURS
            sizes = [abs(score) for score in row.scores]
            assert sizes == sorted(sizes, reverse=True) and sizes[-1] > 0

    def test_a_new_model_replaces_the_old_one(self, shelf, owner):
        old = training.collaborative_train()
        make_interaction(owner, shelf["emma"], kind="like")

        new = training.collaborative_train()

        assert new.pk != old.pk
        assert list(CollaborativeModel.objects.all()) == [new]
        assert training.active_model() == new
        assert not ItemNeighbours.objects.filter(model_id=old.pk).exists()

    def test_unchanged_data_is_not_trained_again_unless_forced(self, shelf, owner):
        model = training.collaborative_train()
        # Neither an interaction that is not a positive nor an inactive item's.
        make_interaction(owner, shelf["emma"], kind="view")
        make_interaction(owner, make_item(is_active=False), kind="like")

        assert training.collaborative_train() is None
        assert training.active_model() == model
        assert training.collaborative_train(force=True).pk != model.pk

    def test_a_re_rating_below_four_trains_again(self, shelf):
        """Re-rating updates the row in place: the count and ids stay the same."""
        training.collaborative_train()
        rating = Interaction.objects.filter(item=shelf["emma"], kind="rating").first()
        rating.value = 2.0
        rating.save(update_fields=["value"])

        model = training.collaborative_train()

        assert model is not None
        assert model.interactions == 14

    def test_inactive_items_are_left_out(self, shelf):
        shelf["emma"].is_active = False
        shelf["emma"].save(update_fields=["is_active"])

        model = training.collaborative_train()

        emma = shelf["emma"].pk
        assert neighbours_of(model, shelf["emma"]) == []
        assert all(
            emma not in row
            for row in ItemNeighbours.objects.values_list("neighbour_ids", flat=True)
        )

    def test_above_the_dense_limit_item_knn_is_trained(self, shelf):
        model = training.collaborative_train(dense_max_items=2)

        assert model.algorithm == "itemknn"
        assert neighbours_of(model, shelf["dune"])[0] == shelf["hyperion"].pk

    @pytest.mark.parametrize(
        ("dense_max_items", "training_steps"),
        [(None, len(collaborative.TrainingConfig().lambdas) + 3), (2, 4)],
    )
    def test_progress_runs_from_the_first_step_to_the_last(
        self, shelf, dense_max_items, training_steps
    ):
        told = []
        training.collaborative_train(
            dense_max_items=dense_max_items,
            on_progress=lambda phase, done, total: told.append((phase, done, total)),
        )
        # Reading and writing around training's own steps.
        total = training_steps + 2
        assert told[0] == ("reading positives", 0, 2)
        assert told[-2] == ("writing neighbours", total - 1, total)
        assert told[-1] == ("done", total, total)
        assert [done for _, done, _ in told] == list(range(total + 1))

    def test_no_positives_train_an_empty_model(self, db):
        model = training.collaborative_train()
        assert model.is_active and model.items == 0
        assert not ItemNeighbours.objects.exists()

    def test_a_second_training_is_refused_while_one_runs(self, shelf):
        """Another session (another worker) holding the lock is a refusal, not a wait."""
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        key = [training.TRAINING_LOCK_SPACE, training.TRAINING_LOCK_KEY]
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(%s, %s)", key)
            with pytest.raises(training.TrainingBusy):
                training.collaborative_train()
            # Unlocked explicitly: the server ends a closed session's backend
            # (and frees its locks) only a moment after the client leaves.
            other.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        assert training.collaborative_train() is not None


class TestServingReads:
    def test_item_neighbours_are_best_first_in_one_query(self, shelf, django_assert_num_queries):
        model = training.collaborative_train()
        unrated = make_item()
        wanted = [shelf["dune"].pk, shelf["emma"].pk, unrated.pk, 999_999]

        with django_assert_num_queries(1):
            found = training.item_neighbours(model_id=model.pk, item_ids=wanted)

        assert list(found) == wanted
        assert found[unrated.pk] == [] and found[999_999] == []
        for pairs in found.values():
            scores = [score for _, score in pairs]
            assert scores == sorted(scores, reverse=True)
        others = {shelf[name].pk for name in ["dune", "hyperion", "lonely"]}
        assert {n for n, _ in found[shelf["emma"].pk]} == others

    def test_active_model_is_none_before_any_training(self, db):
        assert training.active_model() is None


@pytest.mark.django_db
class TestDebouncedTrigger:
    @pytest.fixture
    def queued(self, monkeypatch):
        calls = []
        monkeypatch.setattr(
            tasks.collaborative_train,
            "apply_async",
            lambda args=(), kwargs=None, **options: calls.append(options),
        )
        return calls

    def test_a_burst_of_ratings_queues_one_delayed_training(
        self, queued, settings, django_capture_on_commit_callbacks
    ):
        settings.COLLABORATIVE_DEBOUNCE_SECONDS = 120
        make_item(external_id="dune")
        for user in ["ann", "bob", "cy"]:
            with django_capture_on_commit_callbacks(execute=True):
                interactions_import(
                    rows=[InteractionRow("test", 1, user, "dune", "rating", 5.0, None)]
                )
        assert queued == [{"countdown": 120}]

    def test_a_change_after_half_the_delay_queues_again(
        self, queued, settings, monkeypatch, django_capture_on_commit_callbacks
    ):
        settings.COLLABORATIVE_DEBOUNCE_SECONDS = 300
        clock = [1000.0]
        monkeypatch.setattr(receivers, "monotonic", lambda: clock[0])
        for elapsed in [0, 100, 160, 200]:
            clock[0] = 1000.0 + elapsed
            with django_capture_on_commit_callbacks(execute=True):
                receivers.interactions_changed_train_collaborative(user_ids=None, item_ids=None)
        # Queued at 0, and at 160: more than half of 300 s later.
        assert len(queued) == 2

    def test_a_rolled_back_change_queues_nothing(self, queued, django_capture_on_commit_callbacks):
        with (
            django_capture_on_commit_callbacks(execute=True),
            suppress(RuntimeError),
            transaction.atomic(),
        ):
            receivers.interactions_changed_train_collaborative(user_ids=None, item_ids=None)
            raise RuntimeError("the write failed")
        assert queued == []


class TestTrainCommand:
    def test_sync_trains_here_and_says_what(self, shelf, capsys):
        call_command("train_collaborative", "--sync")
        out = capsys.readouterr().out
        model = training.active_model()
        assert f"Trained model {model.pk}: EASE (closed form), lambda " in out
        assert "4 of 4 items with neighbours, 7 people, 15 positives" in out

        call_command("train_collaborative", "--sync")
        assert "is current" in capsys.readouterr().out
        call_command("train_collaborative", "--sync", "--force", "--dense-max-items", "0")
        assert "Item-kNN" in capsys.readouterr().out
        assert training.active_model().algorithm == "itemknn"

    def test_sync_shows_each_step_on_a_terminal(self, shelf, monkeypatch):
        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        terminal = Terminal()
        # The bar is drawn only where stderr is a terminal (a person waiting).
        monkeypatch.setattr(sys, "stderr", terminal)
        call_command("train_collaborative", "--sync")
        drawn = terminal.getvalue()
        steps = 5 + len(collaborative.TrainingConfig().lambdas)
        phases = ["reading positives", "splitting", "trying lambda", "fitting EASE"]
        phases += ["keeping neighbours", "writing neighbours"]
        positions = [drawn.index(f"Training: {phase}") for phase in phases]
        assert positions == sorted(positions)
        assert f"{steps}/{steps}" in drawn

    def test_without_sync_the_work_is_queued(self, db, monkeypatch, capsys):
        sent = []
        monkeypatch.setattr(tasks.collaborative_train, "delay", lambda **kw: sent.append(kw))
        call_command("train_collaborative", "--force")
        assert sent == [{"force": True, "dense_max_items": None}]
        assert "Queued" in capsys.readouterr().out
        assert not CollaborativeModel.objects.exists()


def test_a_worker_trains_after_ratings_are_saved(worker, settings):
    """Saving ratings queues (debounced, on commit) a training a live worker runs."""
    settings.COLLABORATIVE_DEBOUNCE_SECONDS = 1
    # bulk_create sends no post_save: no embedding task to load the encoder for.
    Item.objects.bulk_create(
        [Item(external_id=name, title=name.title()) for name in ["dune", "hyperion"]]
    )
    interactions_import(
        rows=[
            InteractionRow("test", 1, user, item, "rating", 5.0, None)
            for user in ["ann", "bob", "cy"]
            for item in ["dune", "hyperion"]
        ]
    )

    test_celery_worker.wait_for(worker, lambda: CollaborativeModel.objects.exists())
    model = training.active_model()
    assert (model.algorithm, model.items, model.users, model.interactions) == ("ease", 2, 3, 6)
    dune, hyperion = (Item.objects.get(external_id=name) for name in ["dune", "hyperion"])
    assert neighbours_of(model, dune) == [hyperion.pk]
