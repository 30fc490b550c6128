"""The catalog's vector statistics: computed chunk by chunk by a worker, stored,
and read by web processes without touching every item vector."""

import numpy as np
import pytest

from catalog.importers import item_row
from catalog.models import EMBEDDING_DIMENSIONS, Item
from catalog.services import items_import
from engine import catalog_cache, catalog_statistics, profiles, retrieval, scoring
from engine.catalog_moments import CatalogMoments, catalog_stats_of, moments_of_chunks
from engine.models import CatalogStatistics
from tests import test_celery_worker
from tests.factories import make_item
from tests.test_celery_worker import wait_for


def unit_vectors(count: int, seed: int, dims: int = EMBEDDING_DIMENSIONS) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # Clustered, as real item vectors are: a shared direction plus noise.
    vectors = rng.normal(size=(count, dims)) + 3 * rng.normal(size=dims)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def embedded_items(count: int, seed: int = 0, **fields) -> list[Item]:
    vectors = unit_vectors(count, seed)
    return [
        make_item(embedding=vector, popularity=n, embedding_model="test", **fields)
        for n, vector in enumerate(vectors)
    ]


class TestMoments:
    @pytest.mark.parametrize("chunk", [1, 7, 100, 1000])
    def test_chunks_merge_to_the_statistics_of_all_vectors_at_once(self, chunk):
        vectors = unit_vectors(300, seed=1, dims=16)
        popularity = np.arange(300.0)
        chunks = [
            (vectors[start : start + chunk], popularity[start : start + chunk])
            for start in range(0, 300, chunk)
        ]
        merged = moments_of_chunks(chunks, 16).stats(["Horror", "Western"])
        reference = scoring.CatalogStats.from_vectors(vectors, popularity, ["Horror", "Western"])
        np.testing.assert_allclose(merged.mean, reference.mean, rtol=0, atol=1e-12)
        np.testing.assert_allclose(merged.covariance, reference.covariance, rtol=0, atol=1e-12)
        assert merged.max_popularity == reference.max_popularity == 299
        assert merged.categories == reference.categories

    @pytest.mark.parametrize("count", [0, 1])
    def test_fewer_than_two_vectors_know_no_spread(self, count):
        vectors = unit_vectors(count, seed=2, dims=8)
        stats = catalog_stats_of(vectors, np.full(count, 5.0))
        reference = scoring.CatalogStats.from_vectors(vectors, np.full(count, 5.0))
        np.testing.assert_array_equal(stats.covariance, np.eye(8))
        np.testing.assert_array_equal(stats.mean, reference.mean)
        assert stats.max_popularity == reference.max_popularity

    def test_an_empty_chunk_changes_nothing(self):
        vectors = unit_vectors(50, seed=3, dims=8)
        some = CatalogMoments.of(vectors, np.zeros(50))
        both = some.merged(CatalogMoments.of(np.zeros((0, 8)), np.zeros(0)))
        np.testing.assert_array_equal(both.scatter, some.scatter)
        assert both.count == 50


@pytest.mark.django_db
class TestStoredStatistics:
    def test_the_refresh_stores_what_every_vector_gives(self):
        items = embedded_items(60, categories=["Horror"])
        make_item(categories=["Western"])  # not embedded yet: its category counts

        row = catalog_statistics.catalog_statistics_refresh()

        vectors = np.stack([np.asarray(item.embedding) for item in items])
        reference = scoring.CatalogStats.from_vectors(vectors, np.arange(60.0))
        stored = catalog_statistics.stored_stats(row)
        np.testing.assert_allclose(stored.covariance, reference.covariance, atol=1e-12)
        np.testing.assert_allclose(stored.mean, reference.mean, atol=1e-12)
        assert (row.items, stored.max_popularity) == (60, 59)
        assert set(stored.categories.values()) == {"Horror", "Western"}

    def test_a_second_refresh_on_the_same_catalog_stores_nothing(self):
        embedded_items(10)
        first = catalog_statistics.catalog_statistics_refresh()
        assert catalog_statistics.catalog_statistics_refresh() is None
        assert list(CatalogStatistics.objects.values_list("pk", flat=True)) == [first.pk]

    def test_new_popularity_alone_keeps_the_moments_and_replaces_the_row(self):
        items = embedded_items(10)
        first = catalog_statistics.catalog_statistics_refresh()
        Item.objects.filter(pk=items[0].pk).update(popularity=500)

        second = catalog_statistics.catalog_statistics_refresh()

        assert second.max_popularity == 500 and second.vectors_key == first.vectors_key
        assert bytes(second.covariance) == bytes(first.covariance)
        assert list(CatalogStatistics.objects.values_list("pk", flat=True)) == [second.pk]

    def test_the_row_holds_the_writers_labels_and_processes_read_them_from_it(
        self, django_assert_max_num_queries
    ):
        """The profile writer's label counts come from the stored row once
        there is one: a relabel counts when the worker stores the row again,
        as new vectors do."""
        items = embedded_items(12, categories=["Horror"], tags=["Cabin"])
        row = catalog_statistics.catalog_statistics_refresh()
        assert row.labels["counts"] == {"horror": 12, "cabin": 12}
        assert row.labels["items"] == 12

        assert profiles.catalog_label_counts() == ({"horror": 12, "cabin": 12}, 12)
        with django_assert_max_num_queries(1) as context:  # the newest row's id
            assert profiles.catalog_label_counts()[1] == 12
        assert "catalog_item" not in context.captured_queries[0]["sql"]

        items[0].categories = ["Western"]
        items[0].save()
        assert profiles.catalog_label_counts()[0]["horror"] == 12  # the worker has not run
        catalog_statistics.catalog_statistics_refresh()
        assert profiles.catalog_label_counts() == (
            {"horror": 11, "western": 1, "cabin": 12},
            12,
        )

    def test_a_row_stored_before_labels_were_part_of_it_gets_them(self):
        embedded_items(4, categories=["Noir"])
        row = catalog_statistics.catalog_statistics_refresh()
        CatalogStatistics.objects.filter(pk=row.pk).update(labels={})  # as migrated

        again = catalog_statistics.catalog_statistics_refresh()
        assert again.pk == row.pk and again.labels["counts"] == {"noir": 4}
        assert catalog_statistics.catalog_statistics_refresh() is None

    def test_new_popularity_alone_keeps_the_labels(self):
        items = embedded_items(5, categories=["Drama"])
        first = catalog_statistics.catalog_statistics_refresh()
        Item.objects.filter(pk=items[0].pk).update(popularity=900)
        assert catalog_statistics.catalog_statistics_refresh().labels == first.labels

    def test_web_processes_read_the_stored_row_not_the_vectors(self, django_assert_num_queries):
        """Once a row is stored, a request reads it (and later only its id):
        items embedded since do not move the statistics until a worker stores
        them again."""
        embedded_items(20, seed=4)
        row = catalog_statistics.catalog_statistics_refresh()
        embedded_items(20, seed=5)  # no worker has seen these yet

        stats = catalog_cache.catalog_stats()
        np.testing.assert_array_equal(stats.mean, catalog_statistics.stored_stats(row).mean)
        with django_assert_num_queries(1) as context:
            assert catalog_cache.catalog_stats() is stats
        assert "embedding" not in context.captured_queries[0]["sql"]

        newer = catalog_statistics.catalog_statistics_refresh()
        assert newer.items == 40
        np.testing.assert_array_equal(
            catalog_cache.catalog_stats().mean, catalog_statistics.stored_stats(newer).mean
        )

    def test_without_a_stored_row_a_small_catalog_is_read_whole(self):
        items = embedded_items(30, seed=6)
        vectors = np.stack([np.asarray(item.embedding) for item in items])
        stats = catalog_cache.catalog_stats()
        reference = scoring.CatalogStats.from_vectors(vectors, np.arange(30.0))
        np.testing.assert_allclose(stats.covariance, reference.covariance, atol=1e-12)
        assert stats.max_popularity == 29

    def test_without_a_stored_row_a_large_catalog_is_sampled(self, monkeypatch):
        monkeypatch.setattr(catalog_statistics, "SAMPLE_ITEMS", 40)
        items = embedded_items(400, seed=7)
        read = []
        real = catalog_statistics.moments_of_chunks

        def counting(chunks, dims):
            moments = real(chunks, dims)
            read.append(moments.count)
            return moments

        monkeypatch.setattr(catalog_statistics, "moments_of_chunks", counting)
        stats = catalog_statistics.sampled_stats(400, 399)

        assert 10 <= read[0] <= 100  # about 40 of 400, never all
        assert stats.max_popularity == 399  # the catalog's, not the sample's
        vectors = np.stack([np.asarray(item.embedding) for item in items])
        # An estimate: the mean direction agrees with the whole catalog's.
        full = vectors.mean(axis=0)
        cosine = stats.mean @ full / np.linalg.norm(stats.mean) / np.linalg.norm(full)
        assert cosine > 0.95


# tests/test_celery_worker.py's live worker, used here under the same name.
worker = test_celery_worker.worker


class TestWorker:
    def test_a_worker_stores_the_statistics_after_it_embeds_an_import(self, worker):
        """Import queues embedding; the worker embeds, then queues and runs the
        statistics refresh; this (web) process then serves the stored row."""
        rows = [
            item_row("test", n, {"external_id": f"s{n}", "title": title, "categories": [genre]})
            for n, (title, genre) in enumerate(
                [
                    ("The Listening Array", "Science fiction"),
                    ("Sourdough Sundays", "Cooking"),
                    ("Murder at the Vicarage", "Mystery"),
                    ("A Fire Upon the Deep", "Science fiction"),
                ],
                start=1,
            )
        ]
        items_import(rows=rows)

        def stored_after_embedding():
            row = CatalogStatistics.objects.order_by("-id").first()
            return row is not None and row.items == 4

        wait_for(worker, stored_after_embedding)
        row = CatalogStatistics.objects.get()
        _, vectors, popularity = retrieval.item_vectors(
            list(Item.objects.values_list("pk", flat=True))
        )
        reference = scoring.CatalogStats.from_vectors(vectors, popularity)
        stats = catalog_cache.catalog_stats()
        np.testing.assert_allclose(stats.covariance, reference.covariance, atol=1e-9)
        np.testing.assert_allclose(stats.mean, reference.mean, atol=1e-9)
        assert set(stats.categories.values()) == {"Science fiction", "Cooking", "Mystery"}
        assert catalog_statistics.latest_statistics_id() == row.pk


def test_the_statistics_are_refreshed_on_beat_s_schedule_and_by_the_training_workers():
    from django.conf import settings

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    task = "engine.tasks.catalog_statistics_refresh"
    assert schedule[task] == settings.CATCH_UP_SCHEDULE_SECONDS
    assert settings.CELERY_TASK_ROUTES[task]["queue"] == settings.QUEUE_TRAINING
