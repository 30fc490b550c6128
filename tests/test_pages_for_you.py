"""The "For you" page: the list with its reasons, the controls, the new person's empty state."""

import re

import pytest
from django.urls import reverse

from catalog.models import Item
from engine.models import CollaborativeModel, ItemNeighbours
from profiles.models import DEFAULT_BALANCE
from profiles.services import profile_for
from tests.factories import make_interaction, profile_write_text

FOR_YOU = reverse("engine:for_you")
CONTROLS = reverse("engine:for_you_controls")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="recommendation" data-item-id="(\d+)"', html)]


def categories_of(html: str) -> list[list[str]]:
    items = Item.objects.in_bulk(listed_ids(html))
    return [items[pk].categories for pk in listed_ids(html)]


@pytest.mark.django_db
class TestForYou:
    def test_needs_a_login(self, client):
        for url in (FOR_YOU, CONTROLS):
            response = client.get(url) if url == FOR_YOU else client.post(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_a_new_person_is_led_to_onboarding(self, signed_in, sample_catalog):
        page = signed_in.get(FOR_YOU).content.decode()
        assert 'data-testid="onboarding-invite"' in page
        assert f'href="{reverse("profiles:welcome")}"' in page

    def test_each_pick_quotes_the_profile_line_and_links_to_it(
        self, signed_in, owner, sample_catalog
    ):
        profile_write_text(
            user=owner, text="Likes:\n- jazz\n- home cooking and recipes", base_revision=0
        )
        page = signed_in.get(FOR_YOU).content.decode()
        assert 'data-testid="onboarding-invite"' not in page
        assert len(listed_ids(page)) == 12
        assert sum("Cooking" in names for names in categories_of(page)) >= 8
        assert (
            '<a class="quote" href="/profile/#line-1" data-testid="quoted-line" data-line="1">'
            "<mark>“home cooking and recipes”</mark></a>"
        ) in page

    def test_history_items_behind_a_pick_are_named(self, signed_in, owner, sample_catalog):
        rated = sample_catalog["bk-016"]
        travel = [sample_catalog[f"bk-{n}"] for n in range(106, 111)]
        model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
        ItemNeighbours.objects.create(
            model=model,
            item=rated,
            neighbour_ids=[item.pk for item in travel],
            scores=[0.9, 0.8, 0.7, 0.6, 0.5],
        )
        make_interaction(owner, rated, "rating", 5.0)
        profile_for(owner)
        signed_in.post(CONTROLS, {"personalised": "on", "balance": "0"})
        page = signed_in.get(FOR_YOU).content.decode()
        assert 'data-testid="history-sources"' in page
        assert f"{rated.title}</a> (you rated 5)" in page

    def test_statements_are_escaped(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- <i>cooking</i> & recipes", base_revision=0)
        page = signed_in.get(FOR_YOU).content.decode()
        assert "<i>cooking</i>" not in page
        assert "“&lt;i&gt;cooking&lt;/i&gt; &amp; recipes”" in page

    def test_the_category_filter_keeps_only_that_category(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        page = signed_in.get(FOR_YOU, {"category": "Travel"}).content.decode()
        assert listed_ids(page)
        assert all("Travel" in names for names in categories_of(page))
        assert '<option value="Travel" selected>' in page

    def test_another_persons_lines_never_show(self, signed_in, other, sample_catalog):
        profile_write_text(user=other, text="Likes:\n- secret cooking habit", base_revision=0)
        page = signed_in.get(FOR_YOU).content.decode()
        assert "secret cooking habit" not in page


@pytest.mark.django_db
class TestControls:
    def test_personalisation_off_is_saved_and_said(self, signed_in, owner, sample_catalog):
        profile_write_text(user=owner, text="Likes:\n- cooking", base_revision=0)
        response = signed_in.post(CONTROLS, {"balance": "0.5"}, follow=True)
        assert profile_for(owner).personalised is False
        page = response.content.decode()
        assert 'data-testid="not-personalised"' in page
        assert "personalisation is off" in page
        assert 'data-testid="quoted-line"' not in page

    def test_balance_is_saved_and_the_category_kept(self, signed_in, owner, sample_catalog):
        response = signed_in.post(
            CONTROLS, {"personalised": "on", "balance": "0.8", "category": "Travel"}
        )
        assert response.status_code == 302
        assert response["Location"] == f"{FOR_YOU}?category=Travel"
        profile = profile_for(owner)
        assert profile.balance == 0.8 and profile.personalised is True

    def test_htmx_gets_only_the_list_and_the_new_address(self, signed_in, owner, sample_catalog):
        response = signed_in.post(
            CONTROLS, {"personalised": "on", "balance": "0.5", "category": "Cooking"}, **HTMX
        )
        fragment = response.content.decode()
        assert fragment.lstrip().startswith('<section id="recommendations"')
        assert response["HX-Push-Url"] == f"{FOR_YOU}?category=Cooking"
        assert all("Cooking" in names for names in categories_of(fragment))

    def test_bad_values_change_nothing(self, signed_in, owner):
        response = signed_in.post(CONTROLS, {"personalised": "on", "balance": "7"}, follow=True)
        assert "Those settings were not understood" in response.content.decode()
        assert profile_for(owner).balance == DEFAULT_BALANCE


@pytest.mark.django_db
def test_saving_the_editor_changes_the_list(signed_in, owner, sample_catalog):
    profile_write_text(user=owner, text="Likes:\n- horror\n- mysteries", base_revision=0)
    before = signed_in.get(FOR_YOU).content.decode()
    assert any("Horror" in names for names in categories_of(before))
    signed_in.post(
        reverse("profiles:edit"),
        {"text": "Likes:\n- mysteries\nAvoids:\n- horror", "base_revision": 1},
    )
    after = signed_in.get(FOR_YOU).content.decode()
    assert listed_ids(after) != listed_ids(before)
    assert not any("Horror" in names for names in categories_of(after))
