"""Reads of the catalog for pages and the API."""

from django.db.models import QuerySet

from catalog.models import Item


def items_browse(*, query: str = "", category: str = "") -> QuerySet[Item]:
    """Active items, optionally filtered by a title match and a category."""
    items = Item.objects.filter(is_active=True).defer("embedding")
    if query:
        items = items.filter(title__icontains=query)
    if category:
        items = items.filter(categories__contains=[category])
    return items.order_by("-popularity", "title", "id")
