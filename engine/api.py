"""REST endpoints that need the engine: search, similar items, recommendations."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from catalog.models import Item
from catalog.selectors import items_browse
from engine import recommend, retrieval, scoring

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


class RecommendParams(serializers.Serializer):
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=recommend.MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")
    personalised = serializers.BooleanField(required=False, allow_null=True, default=None)
    diversity = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0, max_value=1
    )

    def request(self) -> recommend.Request:
        return recommend.Request(**self.validated_data)


class PreviewBody(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000)
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=recommend.MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")


def _statement(match: scoring.Match) -> dict:
    return {
        "position": match.statement.key,
        "text": match.statement.text,
        "polarity": match.statement.polarity,
        "contribution": round(match.contribution, 4),
    }


def recommendation_data(item: Item, recommendation: scoring.Recommendation) -> dict:
    """One recommended item with everything that explains it."""
    scored = recommendation.scored
    return {
        "rank": recommendation.rank,
        "item": ItemSerializer(item).data,
        "score": round(scored.score, 4),
        "contributions": scored.contributions,
        "statements": [_statement(m) for m in scored.matches],
        "avoided": _statement(scored.avoided) if scored.avoided else None,
        "history": [
            {
                "item": source.item.item_id,
                "title": source.item.title,
                "action": source.item.action,
                "contribution": round(source.contribution, 4),
            }
            for source in scored.sources
        ],
        "rationale": recommendation.rationale,
    }


class RecommendationViewSet(viewsets.ViewSet):
    """The signed-in person's recommendations, with the reasons for each.

    ``contributions`` holds each term's share of ``score``: ``pos`` (the
    profile's "Likes" lines), ``cf`` (what people with a similar history
    liked), ``pop`` (popularity) and ``neg`` (closeness to an "Avoids" line).
    """

    permission_classes = [IsAuthenticated]

    def list(self, request):
        params = RecommendParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        served = recommend.recommend_for_user(user=request.user, request=params.request())
        return Response(
            {
                "profile_revision": served.profile_revision,
                "personalised": served.settings.personalised,
                "balance": served.settings.balance,
                "diversity": served.settings.diversity,
                "log": served.log_id,
                "results": [recommendation_data(s.item, s.recommendation) for s in served.items],
            }
        )

    @action(detail=False, methods=["post"])
    def preview(self, request):
        """What the draft profile ``text`` would recommend, without saving it.

        Each result says whether it ``entered`` the list, moved ``up`` or
        ``down``, or stayed the ``same``, and which edited line (``cause``)
        did it; ``left`` lists the current items the draft drops.
        """
        body = PreviewBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        preview = recommend.recommendations_preview(
            user=request.user,
            text=data["text"],
            request=recommend.Request(k=data["k"], category=data["category"]),
        )

        def change(entry: recommend.PreviewEntry) -> dict:
            return {"change": entry.change, "before": entry.before, "cause": entry.cause}

        return Response(
            {
                "base_revision": preview.base_revision,
                "statements": [
                    {"text": d.text, "polarity": d.polarity, "weight": d.weight}
                    for d in preview.drafts
                ],
                "added_lines": preview.added_lines,
                "removed_lines": preview.removed_lines,
                "results": [
                    {**recommendation_data(e.item, e.recommendation), **change(e)}
                    for e in preview.items
                ],
                "left": [{"item": ItemSerializer(e.item).data, **change(e)} for e in preview.left],
            }
        )

    @action(detail=False, url_path=r"why-not/(?P<item_id>[0-9]{1,18})")
    def why_not(self, request, item_id: str):
        """Why an item is not in the list (same ``k``, ``category`` as the list)."""
        params = RecommendParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        answer = recommend.why_not(
            user=request.user, item_id=int(item_id), request=params.request()
        )
        scored = answer.absence.scored
        return Response(
            {
                "item": ItemSerializer(answer.item).data,
                "reason": answer.absence.reason,
                "message": answer.absence.message,
                "rank": answer.absence.rank,
                "contributions": scored.contributions if scored else None,
            }
        )
