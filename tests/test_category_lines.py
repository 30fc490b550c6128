"""Profile lines that name a catalog category act on the label, as served
from the database: the embedded sample catalog, with some books given a
second category their text says nothing about (as a film's plot summary may
say nothing of its genre)."""

import pytest

from catalog.models import Item
from engine import candidates, catalog_cache, recommend
from engine.person import ListOptions
from profiles.services import profile_for
from tests.factories import make_interaction, make_item, profile_write_text


def typed(user, text: str) -> None:
    profile_write_text(user=user, text=text, base_revision=profile_for(user).revision)


def listed(user, k: int = 10) -> recommend.RecommendationList:
    return recommend.recommend_for_user(user=user, options=ListOptions(k=k), log=False)


def relabel(catalog, numbers, category: str) -> list[Item]:
    """Give books a second category. Done before any list is scored: the
    categories' vocabulary is cached with the catalog's statistics, whose key
    moves when an item is saved or (re-)embedded, as a real edit does, and
    this update() does neither."""
    items = [catalog[f"bk-{n:03d}"] for n in numbers]
    for item in items:
        Item.objects.filter(pk=item.pk).update(categories=[*item.categories, category])
    return items


@pytest.mark.django_db
class TestAvoidsCategory:
    def test_an_avoid_line_naming_a_category_removes_all_its_items(self, owner, sample_catalog):
        cooking = [
            n for n in range(1, 151) if sample_catalog[f"bk-{n:03d}"].categories == ["Cooking"]
        ]
        spooky = relabel(sample_catalog, cooking[:5], "Horror")
        # A phrase that only contains the category acts on meaning alone: the
        # relabelled cookbooks read like cookbooks and stay.
        typed(owner, "Likes:\n- home cooking and recipes\nAvoids:\n- horror with a cooking twist")
        kept = {served.item.pk for served in listed(owner, k=30).items}
        assert {item.pk for item in spooky} & kept

        typed(owner, "Likes:\n- home cooking and recipes\nAvoids:\n- Horror")
        result = listed(owner, k=30)
        assert not any("Horror" in served.item.categories for served in result.items)
        answer = recommend.why_not(user=owner, item_id=spooky[0].pk)
        assert answer.absence.reason == "avoided"
        assert answer.absence.message == "It is filtered out by your line “Horror”."


@pytest.mark.django_db
class TestCategoryInEverydayWords:
    """A category named in the words people wrap it in acts as its bare name does."""

    @pytest.mark.parametrize(
        "line", ["steer clear of horror novels", "horror books bore me", "no more horror, please"]
    )
    def test_an_avoid_in_a_sentence_removes_the_whole_category(self, owner, sample_catalog, line):
        typed(owner, f"Likes:\n- home cooking and recipes\n- {line}")
        result = listed(owner, k=30)
        assert result.items
        assert not any("Horror" in served.item.categories for served in result.items)
        horror = next(i for i in sample_catalog.values() if "Horror" in i.categories)
        answer = recommend.why_not(user=owner, item_id=horror.pk)
        assert answer.absence.reason == "avoided" and f"“{line}”" in answer.absence.message

    def test_a_like_in_a_sentence_brings_the_category_in(self, owner, sample_catalog):
        typed(owner, "Likes:\n- can't get enough of travel books")
        found = [s for s in listed(owner).items if "Travel" in s.item.categories]
        assert len(found) >= 5


@pytest.mark.django_db
class TestLikesCategory:
    def test_a_like_line_naming_a_category_brings_its_items_in_and_is_quoted(
        self, owner, sample_catalog, monkeypatch
    ):
        # Few nearest items per line stand in for a catalog where a category
        # holds far more items than a line's nearest 50.
        monkeypatch.setattr(candidates, "ANN_PER_STATEMENT", 5)
        travel = [
            n for n in range(1, 151) if sample_catalog[f"bk-{n:03d}"].categories == ["Travel"]
        ]
        westerns = relabel(sample_catalog, travel[:6], "Western")
        # Enough history that popular items are not added as candidates.
        history = [
            n for n in range(1, 151) if "History" in sample_catalog[f"bk-{n:03d}"].categories
        ]
        for n in history[:10]:
            make_interaction(owner, sample_catalog[f"bk-{n:03d}"], value=5)
        typed(owner, "Likes:\n- cozy village mysteries")
        assert not any("Western" in s.item.categories for s in listed(owner).items)

        typed(owner, "Likes:\n- cozy village mysteries\n- Westerns")
        result = listed(owner)
        found = [s for s in result.items if s.item.pk in {item.pk for item in westerns}]
        assert len(found) >= 3
        assert all("“Westerns”" in s.recommendation.rationale for s in found)


@pytest.mark.django_db
class TestCatalogCategories:
    def test_the_categories_a_line_can_name_follow_the_catalog_before_it_is_embedded(self):
        """An import is read before its items have vectors: its categories
        count at once, not those of the catalog the statistics were last
        computed for (here, another test's)."""
        make_item(categories=["Western"])
        assert set(catalog_cache.catalog_stats().categories.values()) == {"Western"}
        make_item(categories=["Horror"])
        assert set(catalog_cache.catalog_stats().categories.values()) == {"Horror", "Western"}


@pytest.mark.django_db
class TestLinesNamingSeveralLabels:
    """A line naming several labels ("no horror or romance", "westerns and war
    books") acts on each of them."""

    @pytest.mark.parametrize("line", ["no horror or romance", "skip romance and horror novels"])
    def test_an_avoid_line_removes_every_named_category(self, owner, sample_catalog, line):
        typed(owner, f"Likes:\n- home cooking and recipes\nAvoids:\n- {line}")
        result = listed(owner, k=40)
        assert len(result.items) == 40
        named = {"Horror", "Romance"}
        assert not [s for s in result.items if named & set(s.item.categories)]
        for category in sorted(named):
            item = next(i for i in sample_catalog.values() if category in i.categories)
            answer = recommend.why_not(user=owner, item_id=item.pk)
            assert answer.absence.reason == "avoided", category
            assert f"“{line}”" in answer.absence.message

    def test_a_like_line_brings_each_named_category_in_and_names_the_line_for_each(
        self, owner, sample_catalog, monkeypatch
    ):
        monkeypatch.setattr(candidates, "ANN_PER_STATEMENT", 5)
        travel = [
            n for n in range(1, 151) if sample_catalog[f"bk-{n:03d}"].categories == ["Travel"]
        ]
        cooking = [
            n for n in range(1, 151) if sample_catalog[f"bk-{n:03d}"].categories == ["Cooking"]
        ]
        westerns = {i.pk for i in relabel(sample_catalog, travel[:6], "Western")}
        war = {i.pk for i in relabel(sample_catalog, cooking[:6], "War")}
        history = [
            n for n in range(1, 151) if "History" in sample_catalog[f"bk-{n:03d}"].categories
        ]
        for n in history[:10]:
            make_interaction(owner, sample_catalog[f"bk-{n:03d}"], value=5)
        typed(owner, "Likes:\n- cozy village mysteries")
        assert not {s.item.pk for s in listed(owner).items} & (westerns | war)

        typed(owner, "Likes:\n- cozy village mysteries\n- westerns and war books")
        result = listed(owner)
        found = {label: [s for s in result.items if s.item.pk in pks]
                 for label, pks in (("Western", westerns), ("War", war))}  # fmt: skip
        # Each label brings its own items in: neither takes the line's share alone.
        assert all(found.values()), {k: len(v) for k, v in found.items()}
        for served in [*found["Western"], *found["War"]]:
            assert "“westerns and war books”" in served.recommendation.rationale
