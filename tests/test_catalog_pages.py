"""The catalog pages over real HTTP, as a browser would fetch them."""

import urllib.parse
import urllib.request

import pytest

from tests.factories import make_item


def fetch(live_server, path: str, **params: str) -> str:
    url = live_server.url + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode()


@pytest.mark.django_db(transaction=True)
class TestCatalogPage:
    def test_lists_active_items_most_popular_first(self, live_server):
        make_item("Rarely Read", popularity=1)
        make_item("Crowd Favourite", popularity=40, rating_mean=4.36, categories=["Fantasy"])
        make_item("Withdrawn Title", is_active=False)
        page = fetch(live_server, "/")
        assert page.index("Crowd Favourite") < page.index("Rarely Read")
        assert "Withdrawn Title" not in page
        assert "Rated or liked by 40 people, average 4.4" in page

    def test_search_and_category_filter(self, live_server):
        make_item("The Glass Orchard", categories=["Fantasy"])
        make_item("Glass Houses", categories=["Mystery"])
        make_item("Orchard Cookbook", categories=["Cooking"])
        page = fetch(live_server, "/", q="glass")
        assert "The Glass Orchard" in page and "Glass Houses" in page
        assert "Orchard Cookbook" not in page
        page = fetch(live_server, "/", q="glass", category="Mystery")
        assert "Glass Houses" in page and "The Glass Orchard" not in page

    def test_pages_through_a_long_catalog(self, live_server):
        for n in range(30):
            make_item(f"Volume {n:02d}")
        first = fetch(live_server, "/")
        assert "Page 1 of 2" in first
        second = fetch(live_server, "/", page="2")
        assert second.count('class="item"') == 6

    def test_text_is_escaped(self, live_server):
        make_item("<script>alert(1)</script>")
        page = fetch(live_server, "/")
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;" in page

    def test_login_page(self, live_server):
        assert 'name="password"' in fetch(live_server, "/accounts/login/")
