"""engine.services.item_popularity_refresh: right figures, and only moved rows written.

Every written item row is a new row version with an entry in each of the
item's indexes (the HNSW graph included), so a refresh that rewrote every
row cost a 200,000-item catalog 951 s; the refresh writes the items whose
popularity or mean rating moved and no other.
"""

import pytest
from django.db import connection

from engine import services
from tests.factories import make_interaction, make_item, make_user


def row_version(item) -> str:
    """Where the item's current row version lies: it moves when the row is written."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM catalog_item WHERE id = %s", [item.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestPopularityRefresh:
    def test_counts_people_and_means_ratings_and_writes_only_what_moved(self):
        readers = [make_user(f"pop-reader-{n}") for n in range(3)]
        rated, liked, untouched = make_item(), make_item(), make_item()
        make_interaction(readers[0], rated, value=5.0)
        make_interaction(readers[1], rated, value=2.0)
        make_interaction(readers[2], liked, kind="like")

        assert services.item_popularity_refresh() == 2  # `untouched` already says 0
        figures = {
            item.pk: (item.popularity, item.rating_mean)
            for item in type(rated).objects.filter(pk__in=[rated.pk, liked.pk, untouched.pk])
        }
        assert figures == {rated.pk: (2, 3.5), liked.pk: (1, None), untouched.pk: (0, None)}

        before = {item.pk: row_version(item) for item in (rated, liked, untouched)}
        assert services.item_popularity_refresh() == 0
        assert {item.pk: row_version(item) for item in (rated, liked, untouched)} == before

        make_interaction(readers[2], rated, value=5.0)
        assert services.item_popularity_refresh() == 1
        assert row_version(liked) == before[liked.pk]
        assert row_version(untouched) == before[untouched.pk]
        rated.refresh_from_db()
        assert (rated.popularity, rated.rating_mean) == (3, 4.0)

    def test_named_items_only(self):
        reader = make_user("pop-named")
        named, other = make_item(), make_item()
        make_interaction(reader, named, value=4.0)
        make_interaction(reader, other, value=3.0)

        assert services.item_popularity_refresh(item_ids=[named.pk]) == 1
        assert services.item_popularity_refresh(item_ids=[]) == 0
        named.refresh_from_db()
        other.refresh_from_db()
        assert (named.popularity, named.rating_mean) == (1, 4.0)
        assert (other.popularity, other.rating_mean) == (0, None)


@pytest.fixture
def shop(db):
    """Twenty items, some rated, some liked, some both by one person, some never."""
    readers = [make_user(f"pop-slice-{n}") for n in range(6)]
    items = [make_item() for _ in range(20)]
    for n, item in enumerate(items[:-1]):  # the last one: nobody
        for m, reader in enumerate(readers):
            if (n * 7 + m * 3) % 5 == 0 and n % 4 != 3:  # n % 4 == 3: liked only
                make_interaction(reader, item, value=0.5 + (n + m) % 10 / 2)
            if (n + m) % 4 == 0:
                make_interaction(reader, item, kind="like")
            if (n + m) % 6 == 1:
                make_interaction(reader, item, kind="view")
    return items


def figures(items) -> dict[int, tuple]:
    rows = type(items[0]).objects.filter(pk__in=[item.pk for item in items])
    return {item.pk: (item.popularity, item.rating_mean) for item in rows}


@pytest.mark.django_db
class TestPopularityInSlices:
    def test_slices_write_what_one_statement_writes(self, shop):
        services.item_popularity_refresh(item_ids=[item.pk for item in shop])  # one statement
        expected = figures(shop)
        assert sum(people > 0 for people, _ in expected.values()) > 10
        assert any(mean is None and people for people, mean in expected.values())  # likes only
        assert expected[shop[-1].pk] == (0, None)
        type(shop[0]).objects.filter(pk__in=[i.pk for i in shop]).update(
            popularity=0, rating_mean=None
        )

        progress = services.item_popularity_refresh_from(after_id=0, slice_items=3)

        assert figures(shop) == expected
        assert progress.after_id is None
        assert progress.written == sum(people > 0 for people, _ in expected.values())
        assert progress.slices >= len(shop) // 3
        # Nothing moved since: no slice writes.
        assert services.item_popularity_refresh_from(after_id=0, slice_items=3).written == 0

    def test_stops_after_its_time_and_goes_on_from_there(self, shop):
        services.item_popularity_refresh(item_ids=[item.pk for item in shop])
        expected = figures(shop)
        type(shop[0]).objects.filter(pk__in=[i.pk for i in shop]).update(
            popularity=0, rating_mean=None
        )

        first = services.item_popularity_refresh_from(after_id=0, seconds=0, slice_items=4)

        assert first.slices == 1 and first.after_id is not None
        done = {pk for pk, (people, _) in figures(shop).items() if people}
        assert done and all(pk <= first.after_id for pk in done)
        rest = services.item_popularity_refresh_from(after_id=first.after_id, slice_items=4)
        assert figures(shop) == expected
        assert first.written + rest.written == sum(people > 0 for people, _ in expected.values())

    def test_the_task_queues_what_did_not_fit_as_its_next_run(self, shop, monkeypatch):
        """The whole-catalog task under a time budget: each run does part and
        queues the rest (its own time limits); the chain ends with the catalog."""
        from engine import tasks

        services.item_popularity_refresh(item_ids=[item.pk for item in shop])
        expected = figures(shop)
        type(shop[0]).objects.filter(pk__in=[i.pk for i in shop]).update(
            popularity=0, rating_mean=None
        )
        monkeypatch.setattr(services, "POPULARITY_SLICE_ITEMS", 5)
        monkeypatch.setattr(tasks, "POPULARITY_SECONDS_PER_RUN", 0)
        queued = []  # what would go to the broker (the network edge)
        monkeypatch.setattr(
            tasks.item_popularity_refresh, "apply_async", lambda kwargs: queued.append(kwargs)
        )

        runs = [tasks.item_popularity_refresh.apply().get()]
        while queued:
            runs.append(tasks.item_popularity_refresh.apply(kwargs=queued.pop()).get())

        assert len(runs) >= 4  # 20 items, 5 a slice, one slice a run
        assert figures(shop) == expected
        assert sum(runs) == sum(people > 0 for people, _ in expected.values())
