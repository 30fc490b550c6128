"""The schema the rest of the product relies on: PostgreSQL, pgvector, HNSW."""

import pytest
from django.db import IntegrityError, connection
from pgvector.django import CosineDistance

from catalog.models import Item
from tests.factories import make_interaction, make_item


def unit(*hot: int) -> list[float]:
    vector = [0.0] * 384
    for index in hot:
        vector[index] = 1.0
    return vector


@pytest.mark.django_db
class TestVectorSchema:
    def test_runs_on_postgresql_with_pgvector(self):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            (version,) = cursor.fetchone()
        assert tuple(int(part) for part in version.split(".")[:2]) >= (0, 8)

    def test_embedding_column_is_a_384_dimension_vector(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'catalog_item'::regclass AND attname = 'embedding'"
            )
            assert cursor.fetchone() == ("vector(384)",)

    def test_embedding_has_a_half_precision_hnsw_cosine_index(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'item_embedding_hnsw'"
            )
            (definition,) = cursor.fetchone()
        assert "USING hnsw (((embedding)::halfvec(384)) halfvec_cosine_ops)" in definition

    def test_nearest_neighbour_query_uses_cosine_distance(self):
        make_item("near", embedding=unit(0, 1))
        make_item("far", embedding=unit(5))
        make_item("unembedded")
        ranked = (
            Item.objects.exclude(embedding=None)
            .annotate(distance=CosineDistance("embedding", unit(0)))
            .order_by("distance")
        )
        assert [item.title for item in ranked] == ["near", "far"]

    def test_a_vector_of_the_wrong_size_is_refused(self):
        with pytest.raises(Exception, match="expected 384 dimensions"):
            make_item("bad", embedding=[1.0, 2.0])


@pytest.mark.django_db
class TestInteractionRules:
    def test_one_rating_per_user_and_item(self, owner):
        item = make_item()
        make_interaction(owner, item, value=3.0)
        with pytest.raises(IntegrityError):
            make_interaction(owner, item, value=4.0)

    def test_rating_value_must_be_in_range(self, owner):
        with pytest.raises(IntegrityError):
            make_interaction(owner, make_item(), value=6.0)

    def test_a_like_carries_no_value(self, owner):
        with pytest.raises(IntegrityError):
            make_interaction(owner, make_item(), kind="like", value=4.0)
