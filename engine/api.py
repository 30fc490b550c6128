"""REST endpoints over the catalog that need the engine: search and similar items."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.models import Item
from catalog.selectors import items_browse
from engine import retrieval

MAX_QUERY_LENGTH = 500


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = [
            "id",
            "external_id",
            "title",
            "description",
            "categories",
            "tags",
            "year",
            "metadata",
            "popularity",
            "rating_mean",
        ]


class ScoredItemSerializer(serializers.Serializer):
    item = ItemSerializer()
    similarity = serializers.FloatField()


class ListParams(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    category = serializers.CharField(required=False, max_length=100)
    year = serializers.IntegerField(required=False, min_value=0, max_value=2200)


class SimilarParams(serializers.Serializer):
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=retrieval.MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Active catalog items.

    ``?q=`` ranks by meaning (semantic search; exact titles first), up to 100
    results; ``?category=`` and ``?year=`` filter.
    """

    serializer_class = ItemSerializer

    def get_queryset(self):
        return Item.objects.filter(is_active=True).defer("embedding")

    def list(self, request, *args, **kwargs):
        params = _params(ListParams, request)
        category = params.get("category", "")
        if params.get("q"):
            found = retrieval.search_items(params["q"], k=retrieval.MAX_K, category=category)
            if "year" in params:
                found = [scored for scored in found if scored.item.year == params["year"]]
            page = self.paginate_queryset(found)
            rows = [
                {**ItemSerializer(scored.item).data, "similarity": round(scored.similarity, 4)}
                for scored in page
            ]
            return self.get_paginated_response(rows)
        items = items_browse(category=category)
        if "year" in params:
            items = items.filter(year=params["year"])
        page = self.paginate_queryset(items)
        return self.get_paginated_response(ItemSerializer(page, many=True).data)

    @action(detail=True)
    def similar(self, request, pk=None):
        """The ``k`` (1-100, default 10) items most like this one, best first."""
        params = _params(SimilarParams, request)
        item = get_object_or_404(self.get_queryset(), pk=pk)
        found = retrieval.similar_items(item, k=params["k"], category=params["category"])
        return Response(
            {
                "item": item.pk,
                "results": ScoredItemSerializer(found, many=True).data,
            }
        )
