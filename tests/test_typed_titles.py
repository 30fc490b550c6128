"""A typed line that names an item's title stands for that item (profiles.services.titles)."""

import re

import pytest
from django.urls import reverse

from catalog.models import Item
from engine.models import CollaborativeModel, ItemNeighbours
from engine.preview import recommendations_preview
from profiles import services
from profiles.titles import title_key, title_topic

FOR_YOU = reverse("engine:for_you")
WELCOME = reverse("profiles:welcome")


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="recommendation" data-item-id="(\d+)"', html)]


def added(user, likes=(), avoids=()) -> list[services.StatementDraft]:
    services.profile_edit(user=user, edit=services.AddLines(likes=likes, avoids=avoids))
    return services.profile_drafts(services.profile_for(user))


def test_title_topic_reads_the_year_quotes_and_a_final_stop():
    assert title_topic("  “The  Matrix” (1999). ") == ("The Matrix", 1999)
    assert title_topic("Alien!") == ("Alien", None)
    assert title_key("Matrix, The (1999)") == title_key("the matrix") == "THE MATRIX"
    assert title_key("A Matrix") != title_key("The Matrix")


def trained(catalog) -> tuple[Item, list[Item]]:
    """A mystery whose readers went on to read travel books (its trained neighbours)."""
    loved = catalog["bk-016"]
    travel = [catalog[f"bk-{n}"] for n in range(106, 111)]
    model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
    ItemNeighbours.objects.create(
        model=model,
        item=loved,
        neighbour_ids=[item.pk for item in travel],
        scores=[0.9, 0.8, 0.7, 0.6, 0.5],
    )
    # Everybody has read a little of everything (a newcomer's pull is
    # weighted by popularity, engine.scoring.groups).
    Item.objects.update(popularity=3)
    return loved, travel


@pytest.mark.django_db
class TestTypedTitles:
    def test_a_title_typed_at_onboarding_brings_its_neighbours_quoted(
        self, client, owner, sample_catalog
    ):
        loved, travel = trained(sample_catalog)
        client.force_login(owner)
        typed = loved.title.lower() + f" ({loved.year})"
        response = client.post(WELCOME, {"likes": typed, "avoids": "", "base_revision": 0})
        assert response.status_code == 302
        (line,) = services.profile_drafts(services.profile_for(owner))
        assert line.text == typed and line.evidence == (loved.pk,)
        page = client.get(FOR_YOU).content.decode()
        listed = listed_ids(page)
        # The loved item is not listed back; its trained neighbours lead the list.
        assert loved.pk not in listed
        assert {item.pk for item in travel} <= set(listed[:8])
        assert f"“{typed}”" in page

    def test_the_editors_preview_reads_a_title_as_saving_would(self, owner, sample_catalog):
        loved, travel = trained(sample_catalog)
        preview = recommendations_preview(user=owner, text=f"Likes:\n- {loved.title}")
        assert [d.evidence for d in preview.drafts] == [(loved.pk,)]
        listed = [move.item.pk for move in preview.items]
        assert loved.pk not in listed
        assert {item.pk for item in travel} <= set(listed[:8])
        assert services.profile_drafts(services.profile_for(owner)) == []  # nothing saved

    def test_spellings_of_a_title_and_an_avoid(self, owner, sample_catalog):
        loved, disliked = sample_catalog["bk-016"], sample_catalog["bk-107"]
        drafts = added(owner, likes=(f"'{loved.title.upper()}'!",), avoids=(disliked.title,))
        assert [d.evidence for d in drafts] == [(loved.pk,), (disliked.pk,)]

    def test_a_line_that_names_no_title_acts_by_its_words(self, owner, sample_catalog):
        loved = sample_catalog["bk-016"]
        drafts = added(
            owner,
            likes=(loved.title + "s", f"{loved.title} ({loved.year + 1})", "cosy mysteries"),
        )
        assert [d.evidence for d in drafts] == [(), (), ()]

    def test_a_category_name_wins_over_a_title(self, owner, db):
        Item.objects.create(external_id="x-crime", title="Crime", categories=["Travel"])
        Item.objects.create(external_id="x-novel", title="A Novel", categories=["Crime"])
        Item.objects.create(external_id="x-walk", title="The Long Walk", categories=["Travel"])
        drafts = added(owner, likes=("crime", "long walk, the"))
        assert drafts[0].evidence == ()
        assert drafts[1].evidence == (Item.objects.get(external_id="x-walk").pk,)

    def test_a_shared_title_is_the_most_popular_item_or_none_on_a_tie(self, owner, db):
        for n, popularity in enumerate((3, 9, 1)):
            Item.objects.create(external_id=f"h-{n}", title="Heat", popularity=popularity)
        Item.objects.create(external_id="t-0", title="Tied", popularity=2)
        Item.objects.create(external_id="t-1", title="Tied", popularity=2)
        drafts = added(owner, likes=("“Heat”", '"tied"'))
        assert drafts[0].evidence == (Item.objects.get(external_id="h-1").pk,)
        assert drafts[1].evidence == ()

    def test_one_word_is_a_title_only_in_quotes_or_with_its_year(self, owner, db):
        """ "Likes: heat" is far likelier a kind of thing than the film called
        Heat: only "Heat" in quotes, or Heat (1995), stands for the film."""
        heat = Item.objects.create(external_id="h-0", title="Heat", year=1995, popularity=5)
        drafts = added(owner, likes=("heat", "Heat (1995)"))
        assert [d.evidence for d in drafts] == [(), (heat.pk,)]

    def test_a_line_kept_unchanged_is_not_read_again(self, owner, sample_catalog):
        loved = sample_catalog["bk-016"]
        added(owner, likes=(loved.title,))
        services.profile_edit(
            user=owner, edit=services.ChangeLine(position=0, weight=0.4), base_revision=None
        )
        (line,) = services.profile_drafts(services.profile_for(owner))
        assert line.evidence == (loved.pk,) and line.weight == 0.4
