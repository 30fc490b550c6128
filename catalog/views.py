from django.core.paginator import Paginator
from django.shortcuts import render

from catalog.selectors import items_browse

PAGE_SIZE = 24


def item_list(request):
    query = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "").strip()[:100]
    page = Paginator(items_browse(query=query, category=category), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/item_list.html",
        {"page": page, "query": query, "category": category},
    )
