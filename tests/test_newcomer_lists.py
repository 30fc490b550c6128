"""A newcomer's first list, served from the database: a person with no history
who typed what they like at onboarding."""

import pytest

from catalog.models import Item
from engine import recommend
from engine.models import CollaborativeModel, ItemNeighbours
from engine.person import ListOptions, person_read
from profiles.services import profile_for
from tests.factories import make_interaction, profile_write_text

TRAVEL = [f"bk-{n}" for n in range(106, 112)]
# What the people who took the travel books also took: a cookbook.
ALSO_TAKEN = "bk-091"


def typed(user, text: str) -> None:
    profile_write_text(user=user, text=text, base_revision=profile_for(user).revision)


def listed(user, **request) -> recommend.RecommendationList:
    return recommend.recommend_for_user(user=user, options=ListOptions(**request))


@pytest.fixture
def travellers_model(sample_catalog):
    """A trained-looking model: each travel book's neighbours are the cookbook
    (strongly) and the other travel books (weakly), the travel books popular."""
    model = CollaborativeModel.objects.create(algorithm="ease", is_active=True)
    travel = [sample_catalog[key] for key in TRAVEL]
    for rank, item in enumerate(travel):
        Item.objects.filter(pk=item.pk).update(popularity=60 - 5 * rank)
        others = [other for other in travel if other != item]
        ItemNeighbours.objects.create(
            model=model,
            item=item,
            neighbour_ids=[sample_catalog[ALSO_TAKEN].pk, *(other.pk for other in others)],
            scores=[0.9, *(0.3 for _ in others)],
        )
    Item.objects.filter(pk=sample_catalog[ALSO_TAKEN].pk).update(popularity=20)
    return model


@pytest.mark.django_db
class TestNewcomer:
    def test_a_typed_category_leads_with_what_its_takers_also_took(
        self, owner, sample_catalog, travellers_model
    ):
        typed(owner, "Likes:\n- Travel")
        result = listed(owner)
        first = result.items[0]
        # Every travel book pulls the cookbook in; a travel book is pulled in
        # only by the others, and weakly: the line's group acts as a history
        # would, its own items no surer picks than what it pulls in.
        assert first.item.external_id == ALSO_TAKEN
        assert "“Travel”" in first.recommendation.rationale
        # The line still gets its share of the list: its own category.
        travel = [s for s in result.items if "Travel" in s.item.categories]
        assert len(travel) >= 3

    def test_a_typed_tag_brings_its_items_and_what_their_takers_took(
        self, owner, sample_catalog, travellers_model
    ):
        # "slow travel" is a tag (on five travel books, three of them with
        # trained neighbours), not a category: the line acts on the tag's
        # items as a category line does on the category's.
        slow = {key for key, item in sample_catalog.items() if "slow travel" in item.tags}
        assert len(slow) >= 5
        typed(owner, "Likes:\n- slow travel")
        assert [s.label for s in person_read(owner, ListOptions()).statements] == [
            "tag:slow travel"
        ]
        result = listed(owner)
        keys = [s.item.external_id for s in result.items]
        # What the people who took them also took leads, named by the line...
        assert keys[0] == ALSO_TAKEN
        assert "“slow travel”" in result.items[0].recommendation.rationale
        # ... and the line's share of the list is the tag's own items.
        assert len(slow & set(keys)) >= 3

    def test_a_newcomers_list_is_served_in_score_order(
        self, owner, sample_catalog, travellers_model
    ):
        typed(owner, "Likes:\n- Travel\n- Cooking")
        scores = [s.recommendation.scored.score for s in listed(owner, diversity=1.0).items]
        assert len(scores) == 10
        assert scores == sorted(scores, reverse=True)

    def test_a_person_with_history_still_gets_a_spread_list(
        self, owner, sample_catalog, travellers_model
    ):
        make_interaction(owner, sample_catalog[TRAVEL[0]], value=5)
        typed(owner, "Likes:\n- Travel\n- Cooking")
        scores = [s.recommendation.scored.score for s in listed(owner, diversity=1.0).items]
        assert scores != sorted(scores, reverse=True)
