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
