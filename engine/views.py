"""Pages that show what the engine computes about catalog items."""

from django.shortcuts import get_object_or_404, render

from catalog.models import Item
from engine import retrieval

MORE_LIKE_THIS = 6


def item_detail(request, pk: int):
    item = get_object_or_404(Item.objects.filter(is_active=True).defer("embedding"), pk=pk)
    return render(
        request,
        "engine/item_detail.html",
        {"item": item, "similar": retrieval.similar_items(item, k=MORE_LIKE_THIS)},
    )
