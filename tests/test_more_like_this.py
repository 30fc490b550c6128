"""More like this on the item page: content and trained neighbours, within the category family."""

import pytest

from catalog.models import Item
from engine import retrieval, training
from engine.related import more_like_this
from tests.factories import make_item

SHOWN = 5


def share_rate(k: int = SHOWN) -> tuple[float, list[str]]:
    """The share of items of the catalog whose top ``k`` have at least k - 1 items
    sharing a category with them; and the items that fall short."""
    items = list(Item.objects.filter(is_active=True).defer("embedding"))
    short = []
    for item in items:
        top = more_like_this(item, k=k)
        shared = sum(1 for s in top if set(s.item.categories) & set(item.categories))
        if len(top) < k or shared < k - 1:
            short.append(item.external_id)
    return 1 - len(short) / len(items), short


@pytest.mark.django_db
class TestWithinTheCategoryFamily:
    def test_four_of_the_top_five_share_a_category_without_a_model(self, sample_catalog):
        rate, short = share_rate()
        print(f"\nno model: {rate:.1%} of items have >= 4 of 5 in their family; short: {short}")
        assert rate >= 0.9, short

    def test_four_of_the_top_five_share_a_category_with_a_trained_model(self, readers):
        assert training.collaborative_train() is not None
        rate, short = share_rate()
        print(f"\ntrained: {rate:.1%} of items have >= 4 of 5 in their family; short: {short}")
        assert rate >= 0.9, short

    def test_a_body_horror_novel_lists_the_slashers_and_no_cookbook(self, sample_catalog):
        source = sample_catalog["bk-052"]  # "Flesh Harvest": grotesque body horror
        top = more_like_this(source, k=6)
        assert all("Horror" in s.item.categories for s in top)
        assert {"bk-050", "bk-051"} & {s.item.external_id for s in top}

    def test_a_small_family_is_filled_from_the_nearest_items_outside_it(self, sample_catalog):
        vector = Item.objects.get(external_id="bk-001").embedding
        lonely = make_item("The Quiet Array", categories=["Radio astronomy"], embedding=vector)
        top = more_like_this(lonely, k=5)
        assert len(top) == 5 and lonely.pk not in {s.item.pk for s in top}
        assert top[0].item.external_id == "bk-001"

    def test_an_item_without_a_vector_has_none_yet(self, sample_catalog):
        assert more_like_this(make_item("Fresh arrival", categories=["Horror"]), k=5) == []


@pytest.mark.django_db
class TestBlendedWithTheTrainedNeighbours:
    def test_trained_neighbours_join_the_content_neighbours(self, readers):
        model = training.collaborative_train()
        changed = 0
        for item in Item.objects.filter(is_active=True):
            content = retrieval.nearest_items(
                item.embedding, k=6, family=item.categories, exclude_ids=[item.pk]
            )
            blended = more_like_this(item, k=6)
            rows = training.item_neighbours(model_id=model.pk, item_ids=[item.pk])[item.pk]
            trained = {n for n, score in rows if score > 0}
            joined = {s.item.pk for s in blended} - {s.item.pk for s in content}
            # Whatever the blend brings in beyond content is a trained neighbour.
            assert joined <= trained, item.external_id
            changed += bool(joined)
        print(f"\ntrained neighbours changed the top 6 of {changed} items")
        assert changed >= 10

    def test_without_a_model_it_is_the_content_neighbours(self, sample_catalog):
        for external_id in ("bk-001", "bk-052", "bk-100"):
            item = Item.objects.get(external_id=external_id)
            content = retrieval.nearest_items(
                item.embedding, k=6, family=item.categories, exclude_ids=[item.pk]
            )
            assert [s.item.pk for s in more_like_this(item, k=6)] == [s.item.pk for s in content]
