"""The catalog page (browse, search, filters) and the item page (buttons, why-not)."""

import pytest
from django.urls import reverse

from catalog.models import Item
from engine import recommend
from engine.person import ListOptions
from profiles.models import Interaction
from tests.factories import make_interaction, make_item, profile_write_text

CATALOG = reverse("engine:item_list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def item_url(item: Item) -> str:
    return reverse("engine:item_detail", args=[item.pk])


def react_url(item: Item) -> str:
    return reverse("engine:item_react", args=[item.pk])


def kinds(user, item) -> dict[str, float | None]:
    return dict(Interaction.objects.filter(user=user, item=item).values_list("kind", "value"))


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.django_db
class TestCatalogList:
    def test_filters_by_category_and_years(self, client):
        make_item("Old Mystery", categories=["Mystery"], year=1950)
        make_item("New Mystery", categories=["Mystery"], year=2020)
        make_item("New Fantasy", categories=["Fantasy"], year=2021)
        page = client.get(CATALOG, {"category": "Mystery", "year_from": 2000}).content.decode()
        assert "New Mystery" in page
        assert "Old Mystery" not in page and "New Fantasy" not in page
        page = client.get(CATALOG, {"year_to": 1999}).content.decode()
        assert "Old Mystery" in page and "New Mystery" not in page

    def test_the_category_menu_lists_categories_in_use(self, client):
        make_item(categories=["Travel"])
        make_item(categories=["Cooking", "Travel"])
        make_item(categories=["Romance"], is_active=False)
        page = client.get(CATALOG).content.decode()
        assert '<option value="Cooking">' in page and '<option value="Travel">' in page
        assert "Romance" not in page

    def test_a_reversed_or_malformed_year_range_never_fails(self, client):
        make_item("Middle", year=2000)
        page = client.get(CATALOG, {"year_from": 2010, "year_to": 1990}).content.decode()
        assert "Middle" in page
        response = client.get(CATALOG, {"year_from": "soon", "page": "x"})
        assert response.status_code == 200
        assert "From year: Enter a whole number." in response.content.decode()

    def test_search_ranks_by_meaning_with_title_matches_first(self, client, sample_catalog):
        page = client.get(CATALOG, {"q": "haunted house ghosts"}).content.decode()
        first = page.index('data-testid="catalog-item"')
        top = Item.objects.get(pk=int(page[first:].split('data-item-id="')[1].split('"')[0]))
        assert "Horror" in top.categories
        title = sample_catalog["bk-001"].title
        page = client.get(CATALOG, {"q": title.lower()}).content.decode()
        assert page.index(title) < page.index("Page 1 of")

    def test_search_keeps_unembedded_items_findable_by_title(self, client):
        make_item("The Glass Orchard")
        make_item("Orchard Cookbook")
        page = client.get(CATALOG, {"q": "glass"}).content.decode()
        assert "The Glass Orchard" in page and "Orchard Cookbook" not in page

    def test_pages_keep_the_filters(self, client):
        for n in range(30):
            make_item(f"Volume {n:02d}", categories=["Fantasy"], year=2001)
        page = client.get(CATALOG, {"category": "Fantasy", "year_from": 2000}).content.decode()
        assert "Page 1 of 2" in page
        assert "?category=Fantasy&amp;year_from=2000&amp;page=2" in page
        second = client.get(CATALOG, {"category": "Fantasy", "year_from": 2000, "page": 2})
        assert second.content.decode().count('data-testid="catalog-item"') == 6

    def test_an_empty_result_says_what_to_do(self, client):
        make_item(categories=["Travel"])
        page = client.get(CATALOG, {"category": "Nope"}).content.decode()
        assert 'data-testid="catalog-empty"' in page and "Try fewer filters" in page

    def test_item_fields_and_the_query_are_escaped(self, client):
        make_item("<script>alert(1)</script>", description="<img src=x onerror=alert(2)>")
        page = client.get(CATALOG, {"q": "<script>"}).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "for “&lt;script&gt;”" in page

    def test_query_count_does_not_grow_with_the_page(
        self, client, django_assert_num_queries, owner
    ):
        for n in range(30):
            make_item(f"Volume {n:02d}", categories=["Fantasy", "History"])
        # Count, one page of items, the category menu.
        with django_assert_num_queries(3):
            client.get(CATALOG)
        client.force_login(owner)
        # Plus the session and the user.
        with django_assert_num_queries(5):
            client.get(CATALOG, {"category": "Fantasy"})


@pytest.mark.django_db
class TestItemPage:
    def test_anonymous_visitors_are_invited_to_log_in(self, client):
        item = make_item("Quiet Book", description="A <b>bold</b> claim")
        page = client.get(item_url(item)).content.decode()
        assert "A &lt;b&gt;bold&lt;/b&gt; claim" in page
        assert 'id="sign-in-to-rate"' in page
        assert 'data-testid="item-actions"' not in page
        assert 'data-testid="why-not-button"' not in page

    def test_signed_in_people_see_their_own_state(self, signed_in, owner, other):
        item = make_item()
        make_interaction(other, item, "rating", 2.0)
        make_interaction(owner, item, "like")
        page = signed_in.get(item_url(item)).content.decode()
        assert 'data-rating="" data-reaction="like"' in page
        assert 'value="like" class="toggle" aria-pressed="true"' in page

    def test_inactive_and_unknown_items_are_404(self, client):
        item = make_item(is_active=False)
        assert client.get(item_url(item)).status_code == 404
        assert client.get(reverse("engine:item_detail", args=[999999])).status_code == 404


@pytest.mark.django_db
class TestRatingButtons:
    def test_a_rating_is_recorded_and_the_page_comes_back(self, signed_in, owner):
        item = make_item()
        response = signed_in.post(react_url(item), {"rating": "4"}, follow=True)
        assert kinds(owner, item) == {"rating": 4.0}
        page = response.content.decode()
        assert "Rated 4 of 5." in page
        assert 'data-testid="current-rating">4<' in page

    def test_htmx_swaps_only_the_button_group(self, signed_in, owner):
        item = make_item()
        response = signed_in.post(react_url(item), {"rating": "5"}, **HTMX)
        fragment = response.content.decode()
        assert response.status_code == 200
        assert fragment.lstrip().startswith('<div id="item-actions"')
        assert "<html" not in fragment
        assert 'value="5" class="star on" aria-pressed="true"' in fragment

    def test_a_reaction_toggles_and_replaces_the_opposite_one(self, signed_in, owner):
        item = make_item()
        signed_in.post(react_url(item), {"action": "dislike"}, **HTMX)
        assert kinds(owner, item) == {"dislike": None}
        signed_in.post(react_url(item), {"action": "like"}, **HTMX)
        assert kinds(owner, item) == {"like": None}
        fragment = signed_in.post(react_url(item), {"action": "like"}, **HTMX).content.decode()
        assert kinds(owner, item) == {}
        assert "Taken back." in fragment

    def test_not_interested_and_removing_a_rating(self, signed_in, owner):
        item = make_item()
        signed_in.post(react_url(item), {"rating": "2"})
        signed_in.post(react_url(item), {"action": "not_interested"})
        assert kinds(owner, item) == {"rating": 2.0, "not_interested": None}
        signed_in.post(react_url(item), {"action": "unrate"})
        assert kinds(owner, item) == {"not_interested": None}

    @pytest.mark.parametrize("data", [{}, {"rating": "9"}, {"rating": "x"}, {"action": "adore"}])
    def test_bad_input_is_explained_and_writes_nothing(self, signed_in, owner, data):
        item = make_item()
        response = signed_in.post(react_url(item), data, **HTMX)
        assert response.status_code == 400
        assert 'data-testid="item-actions-error"' in response.content.decode()
        assert not Interaction.objects.exists()

    def test_anonymous_posts_go_to_login_and_write_nothing(self, client):
        item = make_item()
        response = client.post(react_url(item), {"rating": "4"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not Interaction.objects.exists()

    def test_one_persons_buttons_never_touch_anothers_rating(self, signed_in, owner, other):
        item = make_item()
        make_interaction(other, item, "rating", 3.0)
        signed_in.post(react_url(item), {"action": "unrate"})
        assert kinds(other, item) == {"rating": 3.0}


@pytest.mark.django_db
class TestWhyNot:
    def test_an_avoid_line_is_named_and_linked(self, signed_in, owner, sample_catalog):
        profile_write_text(
            user=owner, text="Likes:\n- mysteries\nAvoids:\n- horror", base_revision=0
        )
        url = reverse("engine:why_not", args=[sample_catalog["bk-046"].pk])
        fragment = signed_in.get(url, **HTMX).content.decode()
        assert 'data-reason="avoided"' in fragment
        assert "“horror”" in fragment
        assert 'href="/profile/#line-1"' in fragment
        assert "<html" not in fragment

    def test_without_javascript_the_item_page_shows_the_answer(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        page = signed_in.get(reverse("engine:why_not", args=[sample_catalog["bk-046"].pk]))
        html = page.content.decode()
        assert "<html" in html and 'data-reason="low_match"' in html

    def test_an_item_in_the_list_is_said_to_be_there_once(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- mysteries", base_revision=0)
        first = recommend.recommend_for_user(user=owner, options=ListOptions(k=10), log=False)
        url = reverse("engine:why_not", args=[first.items[0].item.pk])
        fragment = signed_in.get(url, **HTMX).content.decode()
        assert 'data-reason="listed"' in fragment
        assert fragment.count("in your list") == 1, fragment

    def test_an_avoided_item_never_asks_for_a_line_about_it(self, signed_in, owner, sample_catalog):
        profile_write_text(
            user=owner, text="Likes:\n- mysteries\nAvoids:\n- horror", base_revision=0
        )
        avoided = 0
        for external_id in ("bk-046", *(f"bk-{n:03d}" for n in range(1, 40))):
            url = reverse("engine:why_not", args=[sample_catalog[external_id].pk])
            fragment = signed_in.get(url, **HTMX).content.decode()
            if 'data-reason="avoided"' in fragment:
                avoided += 1
                assert "add a line" not in fragment
                assert "“horror”" in fragment
        assert avoided >= 1

    def test_needs_a_login(self, client):
        item = make_item()
        response = client.get(reverse("engine:why_not", args=[item.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
