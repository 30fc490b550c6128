import numpy as np
import pytest
from django.db import connection
from pgvector import HalfVector
from pgvector.django import CosineDistance

from catalog.models import INDEXED_EMBEDDING, Item
from engine import retrieval
from tests.conftest import vacuum_catalog
from tests.factories import make_item


def exact_top(vector, k, *, exclude=()):
    """Nearest active items by brute force, for comparison with the index."""
    rows = [
        (item.pk, float(np.asarray(item.embedding) @ vector))
        for item in Item.objects.filter(is_active=True)
        .exclude(embedding=None)
        .exclude(pk__in=exclude)
    ]
    return [pk for pk, _ in sorted(rows, key=lambda row: -row[1])[:k]]


@pytest.mark.django_db
class TestSimilarItems:
    def test_never_the_item_itself(self, sample_catalog):
        source = sample_catalog["bk-001"]
        found = retrieval.similar_items(source, k=10)
        assert len(found) == 10
        assert source.pk not in [scored.item.pk for scored in found]

    def test_matches_exact_search_and_is_ordered(self, sample_catalog):
        source = Item.objects.get(external_id="bk-001")
        found = retrieval.similar_items(source, k=10)
        exact = exact_top(np.asarray(source.embedding), 10, exclude=[source.pk])
        # HNSW is approximate, and in a test database its graph also holds the
        # rows of every rolled-back test before this one: demand 9 of the
        # exact 10 (bench/retrieval_latency.py measures recall on real data).
        assert len({s.item.pk for s in found} & set(exact)) >= 9
        assert found[0].item.pk == exact[0]
        similarities = [s.similarity for s in found]
        assert similarities == sorted(similarities, reverse=True)

    def test_same_subgenre_comes_first(self, sample_catalog):
        source = sample_catalog["bk-001"]  # a slow-burn first-contact novel
        top = retrieval.similar_items(source, k=3)
        assert all("Science fiction" in s.item.categories for s in top)

    def test_inactive_items_are_left_out(self, sample_catalog):
        source = sample_catalog["bk-001"]
        nearest = retrieval.similar_items(source, k=1)[0].item
        Item.objects.filter(pk=nearest.pk).update(is_active=False)
        assert nearest.pk not in [s.item.pk for s in retrieval.similar_items(source, k=10)]

    def test_an_item_without_a_vector_has_no_neighbours_yet(self, sample_catalog):
        assert retrieval.similar_items(make_item("Fresh arrival"), k=5) == []


@pytest.mark.django_db
class TestFilteredQueriesReturnK:
    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _vacuumed_after(cls, django_db_blocker):
        """Each test leaves 3,000 dead rows in the index and statistics that
        say the table is large, so the planner walks the index: clear them
        before the searches below run on a 150-item catalog."""
        yield
        vacuum_catalog(django_db_blocker)

    @pytest.fixture
    def crowded(self):
        """1,500 hidden items right at the query, 1,500 visible ones far from it.

        Half the catalog passes the filter, so the planner rightly walks the
        index; but every candidate near the query is filtered out.
        """
        rng = np.random.default_rng(7)
        centre = np.zeros(384, dtype=np.float32)
        centre[0] = 1.0

        def near(point):
            vector = point + rng.normal(0, 0.05, 384).astype(np.float32)
            return vector / np.linalg.norm(vector)

        hidden = [
            Item(
                external_id=f"h{n}",
                title=f"Hidden {n}",
                categories=["Common"],
                is_active=False,
                embedding=near(centre),
            )
            for n in range(1500)
        ]
        shown = [
            Item(
                external_id=f"s{n}",
                title=f"Shown {n}",
                categories=["Rare"],
                embedding=near(-centre),
            )
            for n in range(1500)
        ]
        Item.objects.bulk_create(hidden + shown)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_item")
        return centre

    @staticmethod
    def assert_walks_the_index(category: str, centre) -> None:
        query = (
            retrieval._candidates(category, ())
            .annotate(distance=CosineDistance(INDEXED_EMBEDDING, HalfVector(centre)))
            .order_by("distance")[:10]
        )
        assert "item_embedding_hnsw" in query.explain()

    def test_active_only_still_fills_k(self, crowded):
        """Without pgvector's iterative scan the index stops after ef_search
        candidates, all hidden, and the filter leaves nothing."""
        self.assert_walks_the_index("", crowded)
        found = retrieval.nearest_items(crowded, k=10)
        assert len(found) == 10
        assert all(s.item.is_active for s in found)

    def test_category_filter_still_fills_k(self, crowded):
        self.assert_walks_the_index("Rare", crowded)
        found = retrieval.nearest_items(crowded, k=10, category="Rare")
        assert len(found) == 10


@pytest.mark.django_db
class TestSearch:
    def test_meaning_finds_the_subgenre(self, sample_catalog):
        found = retrieval.search_items("a haunted house that keeps its guests", k=5)
        assert "Horror" in found[0].item.categories

    def test_an_exact_title_comes_first(self, sample_catalog):
        title = sample_catalog["bk-042"].title
        found = retrieval.search_items(title.upper(), k=10)
        assert found[0].item.title == title

    def test_category_filter(self, sample_catalog):
        found = retrieval.search_items("spaceships and aliens", k=5, category="Cooking")
        assert len(found) == 5
        assert all("Cooking" in s.item.categories for s in found)


@pytest.mark.django_db
def test_a_deep_query_beyond_the_index_search_limit(sample_catalog):
    """k=300 asks for an ef_search over pgvector's 1,000 limit: capped, not an error."""
    vector = Item.objects.get(external_id="bk-001").embedding
    assert len(retrieval.nearest_items(vector, k=300)) == 150
