"""More like this: the items shown beside one item.

Two views of "like this" are blended:
- content: the items whose vectors are nearest the item's (what it is about);
- the trained collaborative neighbours, where a model exists (what the same
  people liked), which content cannot see: two slashers written differently.
Each list is ranked on its own and the ranks are fused (reciprocal rank
fusion), so neither score's scale has to be comparable with the other's.

Both stay within the item's category family, the items sharing at least one
of its categories: a body-horror novel's neighbours are never a cookbook
because one sentence of its blurb mentions a kitchen. Only when the family
has too few items does the list fill from the nearest items outside it; an
item without categories (or a catalog without them) uses content and the
trained neighbours alone.
"""

from collections.abc import Sequence

from pgvector.django import CosineDistance

from catalog.models import Item
from engine.retrieval import ScoredItem, nearest_items
from engine.training import active_model, item_neighbours

# Candidates read from each list per result shown: enough for the fusion to
# lift an item the other list ranks high from below the first k.
POOL_PER_RESULT = 4
# Reciprocal rank fusion's constant: 1 / (FUSION_OFFSET + rank). The usual 60
# is for lists of thousands; on lists of tens a smaller one keeps the first
# ranks apart.
FUSION_OFFSET = 10


def more_like_this(item: Item, *, k: int) -> list[ScoredItem]:
    """Up to ``k`` active items most like ``item``, best first (never ``item`` itself).

    ``similarity`` stays the content similarity (cosine) for display; the
    order is the fused one. An item still waiting for its vector has none.
    """
    vector = Item.objects.filter(pk=item.pk).values_list("embedding", flat=True).first()
    if vector is None:
        return []
    family = list(item.categories)
    pool = k * POOL_PER_RESULT
    content = nearest_items(vector, k=pool, family=family, exclude_ids=[item.pk])
    trained = _trained_neighbours(item.pk, vector, family=family, k=pool)
    ranked = _fused([content, trained])[:k]
    if len(ranked) < k:
        shown = [item.pk, *(scored.item.pk for scored in ranked)]
        ranked += nearest_items(vector, k=k - len(ranked), exclude_ids=shown)
    return ranked


def _trained_neighbours(item_id: int, vector, *, family: Sequence[str], k: int) -> list[ScoredItem]:
    """The active model's strongest positive neighbours of the item within its
    family, best first; none without a model or when the item is not in it."""
    model = active_model()
    if model is None:
        return []
    rows = item_neighbours(model_id=model.pk, item_ids=[item_id])[item_id]
    # EASE also stores strong negative weights (corrections): they say "unlike".
    order = [neighbour for neighbour, score in rows if score > 0 and neighbour != item_id][:k]
    items = Item.objects.filter(pk__in=order, is_active=True).exclude(embedding=None)
    if family:
        items = items.filter(categories__overlap=family)
    found = {
        found.pk: found
        for found in items.defer("embedding").annotate(distance=CosineDistance("embedding", vector))
    }
    return [ScoredItem(found[pk], 1.0 - found[pk].distance) for pk in order if pk in found]


def _fused(lists: Sequence[list[ScoredItem]]) -> list[ScoredItem]:
    """The items of every list ranked by the sum of 1 / (FUSION_OFFSET + rank)
    over the lists that hold them; ties go to the higher content similarity."""
    fused: dict[int, float] = {}
    scored: dict[int, ScoredItem] = {}
    for ranked in lists:
        for rank, entry in enumerate(ranked, start=1):
            fused[entry.item.pk] = fused.get(entry.item.pk, 0.0) + 1 / (FUSION_OFFSET + rank)
            scored.setdefault(entry.item.pk, entry)
    return sorted(scored.values(), key=lambda s: (-fused[s.item.pk], -s.similarity))
