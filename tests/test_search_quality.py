"""Search says when nothing matches well, from the similarities, never from a list of words."""

import numpy as np
import pytest
from django.urls import reverse

from catalog.models import Item
from engine import retrieval, search_quality
from engine.catalog_cache import catalog_stats
from engine.encoder import get_encoder

CATALOG = reverse("engine:item_list")
NONSENSE = ["zzzzqqqxx", "asdfgh", "qwerty uiop", "blorptang frizzle", "!!!", "123456"]
TOPICS = [
    "horror",
    "haunted house",
    "bread baking",
    "dragons",
    "space opera",
    "a detective in Victorian London",
    "jazz",
    "first contact with aliens",
]


def strength(query: str) -> float:
    found = retrieval.search_items(query, k=retrieval.MAX_K)
    vectors = np.stack(
        [
            np.asarray(Item.objects.get(pk=s.item.pk).embedding)
            for s in found[: search_quality.AGREEMENT_ITEMS]
        ]
    )
    vector = get_encoder().encode([query])[0]
    return search_quality.match_strength(vector, vectors, catalog_stats())


@pytest.mark.django_db
class TestTheCatalogPage:
    @pytest.mark.parametrize("query", NONSENSE)
    def test_nonsense_says_nothing_matches_well(self, client, sample_catalog, query):
        page = client.get(CATALOG, {"q": query}).content.decode()
        assert 'data-testid="catalog-no-good-match"' in page
        assert "closest match" not in page
        assert page.count('data-testid="catalog-item"') > 0, "the nearest items are still shown"

    @pytest.mark.parametrize("query", TOPICS)
    def test_a_topic_of_the_catalog_lists_its_closest_matches(self, client, sample_catalog, query):
        page = client.get(CATALOG, {"q": query}).content.decode()
        assert "closest matches for" in page
        assert 'data-testid="catalog-no-good-match"' not in page

    def test_a_title_holding_the_query_is_a_good_match(self, client, sample_catalog):
        page = client.get(CATALOG, {"q": "orbit"}).content.decode()  # "Guests of the Lower Orbit"
        assert "closest matches for" in page

    def test_the_readings_separate_nonsense_from_topics(self, sample_catalog):
        nonsense = {query: strength(query) for query in NONSENSE}
        topics = {query: strength(query) for query in TOPICS}
        print(f"\nnonsense: {nonsense}\ntopics: {topics}")
        assert max(nonsense.values()) < search_quality.MATCH_WELL_Z <= min(topics.values())


class TestMatchStrength:
    """The readings themselves, on made-up vectors (no database)."""

    @staticmethod
    def catalog(seed: int = 0) -> tuple[np.ndarray, object]:
        from engine.scoring import CatalogStats

        rng = np.random.default_rng(seed)
        vectors = rng.normal(size=(300, 16))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors, CatalogStats.from_vectors(vectors, np.zeros(300))

    def test_nothing_found_is_no_match(self):
        vectors, stats = self.catalog()
        assert search_quality.match_strength(vectors[0], vectors[:0], stats) == 0.0

    def test_a_tight_group_around_the_query_matches_well(self):
        vectors, stats = self.catalog()
        rng = np.random.default_rng(1)
        group = vectors[0] + rng.normal(scale=0.05, size=(5, 16))
        group /= np.linalg.norm(group, axis=1, keepdims=True)
        assert search_quality.matches_well(vectors[0], group, stats)
