"""GET /api/items/ (semantic search) and /api/items/{id}/similar/."""

import pytest
from django.urls import reverse

from engine import retrieval
from tests.factories import make_item


def similar_url(item) -> str:
    return reverse("engine_api:item-similar", args=[item.pk])


@pytest.mark.django_db
class TestSimilarEndpoint:
    def test_returns_k_items_best_first(self, client, sample_catalog):
        source = sample_catalog["bk-001"]
        body = client.get(similar_url(source), {"k": 4}).json()
        assert body["item"] == source.pk
        assert len(body["results"]) == 4
        ids = [row["item"]["id"] for row in body["results"]]
        assert source.pk not in ids
        similarities = [row["similarity"] for row in body["results"]]
        assert similarities == sorted(similarities, reverse=True)
        assert set(body["results"][0]["item"]) >= {
            "title",
            "description",
            "categories",
            "tags",
            "year",
        }

    def test_default_k_is_ten(self, client, sample_catalog):
        assert len(client.get(similar_url(sample_catalog["bk-001"])).json()["results"]) == 10

    def test_category_filter(self, client, sample_catalog):
        body = client.get(
            similar_url(sample_catalog["bk-001"]), {"k": 5, "category": "Cooking"}
        ).json()
        assert len(body["results"]) == 5
        assert all("Cooking" in row["item"]["categories"] for row in body["results"])

    @pytest.mark.parametrize(
        ("k", "problem"),
        [
            ("0", "greater than or equal to 1"),
            ("-3", "greater than or equal to 1"),
            ("100000", "less than or equal to 100"),
            ("ten", "A valid integer is required"),
            ("1.5", "A valid integer is required"),
        ],
    )
    def test_bad_k_is_a_400_naming_k(self, client, sample_catalog, k, problem):
        response = client.get(similar_url(sample_catalog["bk-001"]), {"k": k})
        assert response.status_code == 400
        body = response.json()
        assert body["message"].startswith("k: ")
        assert problem in body["message"]
        assert "k" in body["extra"]["fields"]

    def test_unknown_or_inactive_item_is_a_404(self, client, sample_catalog):
        response = client.get(reverse("engine_api:item-similar", args=[999999]))
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "extra": {}}
        hidden = make_item("Withdrawn", is_active=False)
        assert client.get(similar_url(hidden)).status_code == 404

    def test_not_yet_embedded_has_no_results(self, client, sample_catalog):
        assert client.get(similar_url(make_item("Just added"))).json()["results"] == []


@pytest.mark.django_db
class TestItemsEndpoint:
    def test_semantic_query(self, client, sample_catalog):
        body = client.get(
            reverse("engine_api:item-list"), {"q": "kneading bread dough at dawn"}
        ).json()
        top = body["results"][0]
        assert "Cooking" in top["categories"]
        assert 0 < top["similarity"] <= 1

    def test_exact_title_first(self, client, sample_catalog):
        title = sample_catalog["bk-077"].title
        body = client.get(reverse("engine_api:item-list"), {"q": title.lower()}).json()
        assert body["results"][0]["title"] == title

    def test_results_are_paginated(self, client, sample_catalog):
        body = client.get(reverse("engine_api:item-list"), {"q": "a story"}).json()
        assert body["count"] == 100
        assert len(body["results"]) == 20
        assert body["next"]

    def test_browse_with_filters_without_a_query(self, client, sample_catalog):
        year = sample_catalog["bk-001"].year
        body = client.get(
            reverse("engine_api:item-list"), {"category": "Science fiction", "year": year}
        ).json()
        assert body["count"] >= 1
        assert all(
            row["year"] == year and "Science fiction" in row["categories"]
            for row in body["results"]
        )

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"q": "x" * 501}, "q"),
            ({"year": "last"}, "year"),
            ({"category": "c" * 101}, "category"),
        ],
    )
    def test_bad_parameters_are_400s(self, client, sample_catalog, params, field):
        response = client.get(reverse("engine_api:item-list"), params)
        assert response.status_code == 400
        assert response.json()["message"].startswith(f"{field}: ")

    def test_detail(self, client, sample_catalog):
        item = sample_catalog["bk-010"]
        body = client.get(reverse("engine_api:item-detail", args=[item.pk])).json()
        assert body["external_id"] == "bk-010"
        assert "embedding" not in body


@pytest.mark.django_db
class TestItemPage:
    def test_more_like_this(self, client, sample_catalog):
        source = sample_catalog["bk-001"]
        page = client.get(reverse("engine:item_detail", args=[source.pk])).content.decode()
        assert source.title in page
        assert "More like this" in page
        nearest = retrieval.similar_items(source, k=1)[0].item
        assert nearest.title in page

    def test_waiting_for_embedding(self, client, db):
        item = make_item("Brand new")
        page = client.get(reverse("engine:item_detail", args=[item.pk])).content.decode()
        assert "still being read for recommendations" in page

    def test_inactive_item_page_is_404(self, client, db):
        item = make_item("Hidden", is_active=False)
        assert client.get(reverse("engine:item_detail", args=[item.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/items/99999999999999999999999/",
        "/api/items/abc/",
        "/api/items/99999999999999999999999/similar/",
        "/items/99999999999999999999999/",
        "/api/items/?page=abc",
        "/api/items/?page=99999999999999999999",
    ],
)
def test_out_of_range_ids_and_pages_are_404s_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert set(response.json()) == {"message", "extra"}
