"""REST endpoints that need the engine: items (staff write them), recommendations, training."""

from django.conf import settings
from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import services as catalog_services
from catalog.importers import (
    MAX_EXTERNAL_ID,
    MAX_LABEL,
    MAX_TITLE,
    YEAR_RANGE,
    has_nul,
    metadata_size,
)
from catalog.models import Item
from catalog.selectors import items_browse
from engine import concepts, indexing, recommend, retrieval, scoring, steering, tasks, training
from engine.catalog_cache import catalog_stats, line_neighbours, tag_index
from engine.person import MAX_K, ListOptions
from engine.preview import recommendations_preview
from profiles.forms import LineChoicesField
from profiles.parser import MAX_STATEMENT_LENGTH, MAX_TOTAL_LENGTH, typed_sections
from profiles.parser import MAX_STATEMENTS as MAX_POSITION
from recsite.api import MAX_ID, MAX_REVISION, JSONParser, StrictFloatField, validated
from recsite.errors import ApplicationError
from recsite.queueing import enqueue_on_commit

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


# One instance serves every item of a list: a new ModelSerializer builds its
# fields from the model each time, which cost more than scoring the list.
_ITEM_SERIALIZER = ItemSerializer()


def item_data(item: Item) -> dict:
    """``ItemSerializer(item).data``, without building the serializer again."""
    return _ITEM_SERIALIZER.to_representation(item)


class ScoredItemSerializer(serializers.Serializer):
    item = ItemSerializer()
    similarity = serializers.FloatField()


class SearchResultSerializer(ItemSerializer):
    similarity = serializers.FloatField(
        required=False, help_text="Only with ?q=: cosine similarity to the query."
    )

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "similarity"]


class SimilarItemsSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item the others are like.")
    results = ScoredItemSerializer(many=True)


def _labels(labels: list[str]) -> list[str]:
    """Labels as the catalog import stores them: spaces collapsed, no blanks or repeats."""
    # A dict keeps the first of each label in order, with constant-time lookups.
    cleaned = {" ".join(label.split()): None for label in labels}
    cleaned.pop("", None)
    return list(cleaned)


class ItemWriteSerializer(serializers.Serializer):
    """An item as staff write it; the same fields and limits as the catalog import."""

    external_id = serializers.CharField(max_length=MAX_EXTERNAL_ID)
    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=MAX_LABEL, allow_blank=True),
        required=False,
        max_length=settings.CATALOG_IMPORT_MAX_LABELS,
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=MAX_LABEL, allow_blank=True),
        required=False,
        max_length=settings.CATALOG_IMPORT_MAX_LABELS,
    )
    year = serializers.IntegerField(
        required=False, allow_null=True, min_value=YEAR_RANGE[0], max_value=YEAR_RANGE[1]
    )
    metadata = serializers.DictField(required=False)
    is_active = serializers.BooleanField(required=False, help_text="False hides the item.")

    def validate_metadata(self, value: dict) -> dict:
        # Text fields refuse NUL already (DRF); PostgreSQL's JSON cannot store one either.
        if has_nul(value):
            raise serializers.ValidationError("Must not contain the NUL character (\\u0000).")
        try:
            size = metadata_size(value)
        except RecursionError:
            raise serializers.ValidationError("Nested too deeply.") from None
        if size > settings.CATALOG_IMPORT_MAX_METADATA_BYTES:
            raise serializers.ValidationError(
                f"{size:,} bytes as JSON, more than {settings.CATALOG_IMPORT_MAX_METADATA_BYTES:,} "
                "(CATALOG_IMPORT_MAX_METADATA_BYTES)."
            )
        return value

    def validate_categories(self, value: list[str]) -> list[str]:
        return _labels(value)

    def validate_tags(self, value: list[str]) -> list[str]:
        return _labels(value)


class StaffItemSerializer(ItemSerializer):
    """An item as staff see it after a write: with its visibility and embedding state."""

    embedding = serializers.SerializerMethodField(
        help_text="current, outdated or missing; a changed text is re-embedded by a worker."
    )

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "is_active", "embedding"]

    def get_embedding(self, item: Item) -> str:
        return item.embedding_status(settings.EMBEDDING_MODEL)


class ItemImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JSON Lines (.jsonl) or CSV (.csv), either optionally gzipped (.gz)."
    )


class ItemImportSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class EmbeddingStatusSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="The configured encoder.")
    current = serializers.IntegerField()
    outdated = serializers.IntegerField(help_text="Made from older text or by another model.")
    missing = serializers.IntegerField(help_text="Never embedded.")
    pending = serializers.IntegerField(help_text="Waiting for a worker: outdated + missing.")


class StaffWritesOnly(BasePermission):
    """Anyone reads; only staff create, change or delete."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(request.user and request.user.is_staff)


class ListParams(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    category = serializers.CharField(required=False, max_length=100)
    year = serializers.IntegerField(required=False, min_value=0, max_value=2200)


class SimilarParams(serializers.Serializer):
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=retrieval.MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")


@extend_schema(tags=["items"])
@extend_schema_view(
    create=extend_schema(request=ItemWriteSerializer, responses={201: StaffItemSerializer}),
    update=extend_schema(request=ItemWriteSerializer, responses=StaffItemSerializer),
    partial_update=extend_schema(request=ItemWriteSerializer, responses=StaffItemSerializer),
)
class ItemViewSet(viewsets.ModelViewSet):
    """Active catalog items; staff also create, change and delete them.

    ``?q=`` ranks by meaning (semantic search; exact titles first), up to 100
    results; ``?category=`` and ``?year=`` filter. Saving an item whose text
    changed queues its re-embedding. DELETE removes the item and everyone's
    interactions with it; to keep those, PATCH ``is_active`` to false instead.
    """

    serializer_class = ItemSerializer
    permission_classes = [StaffWritesOnly]
    parser_classes = [JSONParser]

    def get_queryset(self):
        if self.request.method in SAFE_METHODS:
            return Item.objects.filter(is_active=True).defer("embedding")
        return Item.objects.defer("embedding")  # staff may change hidden items too

    @extend_schema(parameters=[ListParams], responses=SearchResultSerializer(many=True))
    def list(self, request, *args, **kwargs):
        params = validated(ListParams, request.query_params)
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

    @extend_schema(parameters=[SimilarParams], responses=SimilarItemsSerializer)
    @action(detail=True)
    def similar(self, request, pk=None):
        """The ``k`` (1-100, default 10) items most like this one, best first."""
        params = validated(SimilarParams, request.query_params)
        # DRF's get_object_or_404: an id that is no integer ("null,null") is a 404, not a 500.
        item = get_object_or_404(self.get_queryset(), pk=pk)
        found = retrieval.similar_items(item, k=params["k"], category=params["category"])
        return Response(
            {
                "item": item.pk,
                "results": ScoredItemSerializer(found, many=True).data,
            }
        )

    def create(self, request, *args, **kwargs):
        """Add an item (staff); a worker embeds it."""
        body = ItemWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = catalog_services.item_create(**body.validated_data)
        return Response(StaffItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change an item (staff); fields left out keep their values."""
        item = self.get_object()
        body = ItemWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        item = catalog_services.item_update(item=item, **body.validated_data)
        return Response(StaffItemSerializer(item).data)

    def destroy(self, request, *args, **kwargs):
        """Delete an item and all interactions with it (staff)."""
        catalog_services.item_delete(item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ItemImportSerializer, responses=ItemImportSummarySerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        permission_classes=[IsAdminUser],
        parser_classes=[MultiPartParser],
    )
    def bulk_import(self, request):
        """Import a catalog file (staff): all or nothing, by external_id.

        A bad line is a 400 naming the file, line and field, and nothing is
        written. Items whose text changed are queued for embedding.
        """
        body = ItemImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        summary = catalog_services.items_import_upload(name=upload.name, chunks=upload.chunks())
        return Response({"created": summary.created, "updated": summary.updated})

    @extend_schema(responses=EmbeddingStatusSerializer)
    @action(detail=False, url_path="embedding-status", permission_classes=[IsAdminUser])
    def embedding_status(self, request):
        """How many items' vectors are current, outdated or missing (staff)."""
        counts = indexing.items_embedding_counts()
        return Response(
            {
                "model": counts.model,
                "current": counts.current,
                "outdated": counts.outdated,
                "missing": counts.missing,
                "pending": counts.pending,
            }
        )


class RecommendParams(serializers.Serializer):
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")
    personalised = serializers.BooleanField(required=False, allow_null=True, default=None)
    diversity = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0, max_value=1
    )


class PreviewBody(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000)
    choices = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_TOTAL_LENGTH,
        help_text=(
            'JSON: line text -> {"concept": ..., "polarity": ...}, the readings chosen for '
            "lines (see the statement's concept); the editor's hidden field, as it sends it."
        ),
    )
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")


class HistorySourceSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="An item from your history that pulled this one in.")
    title = serializers.CharField()
    action = serializers.CharField(help_text='What you did with it, e.g. "you rated it 5".')
    contribution = serializers.FloatField()


class MatchedStatementSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The line's position in the profile.")
    text = serializers.CharField()
    polarity = serializers.CharField()
    contribution = serializers.FloatField(
        help_text="Its share of the score: removing the line lowers the score by this much."
    )
    words = serializers.FloatField(
        required=False, help_text="The part of the share its words (and its group's centre) give."
    )
    history = HistorySourceSerializer(
        many=True,
        required=False,
        help_text="The items of the line's group that pulled this one in.",
    )


class ContributionsSerializer(serializers.Serializer):
    pos = serializers.FloatField(help_text='The words of your "Likes" lines (and their centres).')
    cf = serializers.FloatField(
        help_text="What the items each line stands for pull in (people who liked them liked this)."
    )
    history = serializers.FloatField(
        help_text="What your other rated items pull in (rated since the profile was written)."
    )
    pop = serializers.FloatField(help_text="Popularity.")
    neg = serializers.FloatField(help_text='Closeness to an "Avoids" line (negative).')


class RecommendationSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    item = ItemSerializer()
    score = serializers.FloatField()
    contributions = ContributionsSerializer()
    statements = MatchedStatementSerializer(many=True)
    avoided = MatchedStatementSerializer(allow_null=True)
    history = HistorySourceSerializer(many=True)
    rationale = serializers.CharField(help_text="Why, in words.")


# One object holding the list, although it answers the viewset's "list"
# action: without many=False the schema says it is an array.
@extend_schema_serializer(many=False)
class RecommendationListSerializer(serializers.Serializer):
    profile_revision = serializers.IntegerField()
    personalised = serializers.BooleanField()
    balance = serializers.FloatField()
    diversity = serializers.FloatField()
    log = serializers.IntegerField(allow_null=True, help_text="The id of this served list.")
    results = RecommendationSerializer(many=True)


class PreviewChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(choices=["entered", "left", "up", "down", "same"])
    before = serializers.IntegerField(allow_null=True, help_text="Rank in the current list.")
    cause = serializers.CharField(allow_null=True, help_text="The edited line behind the change.")


class PreviewResultSerializer(RecommendationSerializer, PreviewChangeSerializer):
    pass


class PreviewLeftSerializer(PreviewChangeSerializer):
    item = ItemSerializer()


class DraftStatementSerializer(serializers.Serializer):
    text = serializers.CharField()
    polarity = serializers.CharField()
    weight = serializers.FloatField()
    label = serializers.CharField(
        help_text="The (first) catalog label the line acts on, or empty: it acts by meaning."
    )
    labels = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Every label the line acts on ('no horror or gore': a category and a tag, "
            "'tag:gore'); empty: it acts by meaning. To keep some, send their names "
            "joined by '|' as the line's concept."
        ),
    )
    reading = serializers.CharField(
        help_text=(
            "How the line was read, in words: 'Avoids · acts on: Romance, Musical (categories)'."
        )
    )


class PreviewSerializer(serializers.Serializer):
    base_revision = serializers.IntegerField()
    statements = DraftStatementSerializer(many=True, help_text="How the draft was understood.")
    added_lines = serializers.ListField(child=serializers.CharField())
    removed_lines = serializers.ListField(child=serializers.CharField())
    results = PreviewResultSerializer(many=True)
    left = PreviewLeftSerializer(many=True, help_text="Items of the current list the draft drops.")


class WhyNotSerializer(serializers.Serializer):
    item = ItemSerializer()
    reason = serializers.ChoiceField(
        choices=["seen", "avoided", "category", "listed", "ranked", "low_match", "unavailable"]
    )
    message = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    contributions = ContributionsSerializer(allow_null=True)


def _source(source: scoring.HistorySource) -> dict:
    return {
        "item": source.item.item_id,
        "title": source.item.title,
        "action": source.item.action,
        "contribution": round(source.contribution, 4),
    }


def _statement(match: scoring.Match) -> dict:
    return {
        "position": match.statement.key,
        "text": match.statement.text,
        "polarity": match.statement.polarity,
        "contribution": round(match.contribution, 4),
        "words": round(match.words, 4),
        "history": [_source(source) for source in match.sources],
    }


def recommendation_data(item: Item, recommendation: scoring.Recommendation) -> dict:
    """One recommended item with everything that explains it."""
    scored = recommendation.scored
    return {
        "rank": recommendation.rank,
        "item": item_data(item),
        "score": round(scored.score, 4),
        "contributions": scored.contributions,
        "statements": [_statement(m) for m in scored.matches],
        "avoided": _statement(scored.avoided) if scored.avoided else None,
        "history": [_source(source) for source in scored.sources],
        "rationale": recommendation.rationale,
    }


# Ids and revision numbers are PostgreSQL integers: larger ones are bad input.


class SteerBody(serializers.Serializer):
    """One control of a recommendation's reason (see engine/steering.py)."""

    action = serializers.ChoiceField(
        choices=steering.ACTIONS,
        help_text=(
            "On a profile line (`statement`): `edit` (new `text`), `more`, `less` (a step up or "
            "down the strength scale 0.2-1), `avoid` (make it an Avoids line), `delete`, `pin`, "
            "`unpin`. On an item of your history that a reason names (`item`): `exclude` (stop "
            "using it for recommendations, the rating stays), `include`, `rate` (`value`), "
            "`unrate`. On a recommended item (`item`): `explain` (say why you like it in "
            "`text`; it becomes a Likes line with the item as its example). `restore` "
            "(`revision`) brings back an older profile revision: the undo of a profile action."
        ),
    )
    statement = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_POSITION - 1,
        help_text="The line's position, as `statements[].position` in a recommendation.",
    )
    item = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    base_revision = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_REVISION,
        help_text=(
            "The profile revision the list you act on was made from (`profile_revision`). "
            "Required for actions that change the profile; a stale one is a 409."
        ),
    )
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=2 * MAX_STATEMENT_LENGTH
    )
    value = StrictFloatField(required=False, help_text="`rate`: 0.5 to 5 stars, in half stars.")
    revision = serializers.IntegerField(required=False, min_value=1, max_value=MAX_REVISION)
    k = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_K)
    category = serializers.CharField(required=False, max_length=100, default="")
    diversity = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0, max_value=1
    )


class SteerActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    statement = serializers.IntegerField(required=False)
    item = serializers.IntegerField(required=False)
    base_revision = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False)
    value = serializers.FloatField(required=False)
    revision = serializers.IntegerField(required=False)


class SteerResultSerializer(serializers.Serializer):
    preview = serializers.BooleanField(help_text="True: nothing was saved.")
    base_revision = serializers.IntegerField()
    profile_revision = serializers.IntegerField(
        help_text="The profile revision now (a preview: unchanged)."
    )
    message = serializers.CharField(help_text="What the action does, in words.")
    results = PreviewResultSerializer(many=True, help_text="The new list, each with its change.")
    left = PreviewLeftSerializer(many=True, help_text="Items of the old list that are gone.")
    undo = SteerActionSerializer(
        allow_null=True, help_text="POST this to /api/recommendations/steer/ to take it back."
    )
    log = serializers.IntegerField(allow_null=True, help_text="The id of the new served list.")


def steer_data(outcome: steering.Outcome) -> dict:
    def change(entry: recommend.Move) -> dict:
        return {"change": entry.change, "before": entry.before, "cause": outcome.message}

    return {
        "preview": outcome.preview,
        "base_revision": outcome.base_revision,
        "profile_revision": outcome.profile_revision,
        "message": outcome.message,
        "results": [
            {**recommendation_data(e.item, e.recommendation), **change(e)} for e in outcome.items
        ],
        "left": [{"item": item_data(e.item), **change(e)} for e in outcome.left],
        "undo": outcome.undo.fields() if outcome.undo else None,
        "log": outcome.log_id,
    }


@extend_schema(tags=["recommendations"])
class RecommendationViewSet(viewsets.ViewSet):
    """The signed-in person's recommendations, with the reasons for each.

    ``contributions`` holds each term's share of ``score``: ``pos`` (the
    profile's "Likes" lines), ``cf`` (what people with a similar history
    liked), ``pop`` (popularity) and ``neg`` (closeness to an "Avoids" line).
    """

    permission_classes = [IsAuthenticated]
    # Set per action (the preview's own rate); None: the default rates only.
    throttle_scope: str | None = None

    @extend_schema(parameters=[RecommendParams], responses=RecommendationListSerializer)
    def list(self, request):
        options = ListOptions(**validated(RecommendParams, request.query_params))
        served = recommend.recommend_for_user(user=request.user, options=options)
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

    @extend_schema(request=PreviewBody, responses=PreviewSerializer)
    @action(detail=False, methods=["post"], throttle_scope="preview")
    def preview(self, request):
        """What the draft profile ``text`` would recommend, without saving it.

        Each result says whether it ``entered`` the list, moved ``up`` or
        ``down``, or stayed the ``same``, and which edited line (``cause``)
        did it; ``left`` lists the current items the draft drops.
        """
        data = validated(PreviewBody, request.data)
        choices = LineChoicesField()
        try:
            picked = choices.clean(data["choices"])
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages), extra={"field": "choices"}) from None
        preview = recommendations_preview(
            user=request.user,
            text=data["text"],
            options=ListOptions(k=data["k"], category=data["category"]),
            choices=picked,
        )

        def change(entry: recommend.Move) -> dict:
            return {"change": entry.change, "before": entry.before, "cause": entry.cause}

        return Response(
            {
                "base_revision": preview.base_revision,
                "statements": [
                    {
                        "text": r.text,
                        "polarity": r.polarity,
                        "weight": r.weight,
                        "label": r.label,
                        "labels": list(r.labels),
                        "reading": r.how,
                        # A category it may mean, not acted on; the polarity
                        # its words lean to when the section decided otherwise.
                        "near_label": r.near,
                        "words_lean": r.lean,
                        "matches_clearly": r.clear,
                        "concept": r.chosen,
                    }
                    for r in concepts.line_readings(
                        preview.drafts,
                        catalog_stats().categories,
                        tags=tag_index(catalog_stats()),
                        sections=typed_sections(data["text"]),
                        nearest=line_neighbours(catalog_stats()),
                    )
                ],
                "added_lines": preview.added_lines,
                "removed_lines": preview.removed_lines,
                "results": [
                    {**recommendation_data(e.item, e.recommendation), **change(e)}
                    for e in preview.items
                ],
                "left": [{"item": item_data(e.item), **change(e)} for e in preview.left],
            }
        )

    def _steer(self, request, *, preview: bool) -> Response:
        data = validated(SteerBody, request.data)
        options = ListOptions(
            k=data.pop("k"), category=data.pop("category"), diversity=data.pop("diversity")
        )
        action = steering.Action(name=data.pop("action"), **data)
        outcome = steering.steer(user=request.user, action=action, preview=preview, options=options)
        return Response(steer_data(outcome))

    @extend_schema(request=SteerBody, responses=SteerResultSerializer)
    @action(detail=False, methods=["post"])
    def steer(self, request):
        """Apply one control of a reason: the new profile revision and the new list.

        Each result says whether it ``entered``, moved ``up`` or ``down`` or stayed
        the ``same`` against the list before; ``left`` lists what is gone.
        ``undo`` is the body that takes the action back.
        """
        return self._steer(request, preview=False)

    @extend_schema(request=SteerBody, responses=SteerResultSerializer)
    @action(detail=False, methods=["post"], url_path="steer/preview", throttle_scope="preview")
    def steer_preview(self, request):
        """What one control of a reason would do to the list, without saving anything.

        The same body and answer as ``steer/``; a stale ``base_revision`` is a 409 here too.
        """
        return self._steer(request, preview=True)

    @extend_schema(
        parameters=[RecommendParams, OpenApiParameter("item_id", int, OpenApiParameter.PATH)],
        responses=WhyNotSerializer,
    )
    @action(detail=False, url_path=r"why-not/(?P<item_id>[0-9]{1,18})")
    def why_not(self, request, item_id: str):
        """Why an item is not in the list (same ``k``, ``category`` as the list)."""
        options = ListOptions(**validated(RecommendParams, request.query_params))
        answer = recommend.why_not(user=request.user, item_id=int(item_id), options=options)
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


class TrainedModelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    algorithm = serializers.CharField()
    users = serializers.IntegerField()
    items = serializers.IntegerField()
    interactions = serializers.IntegerField()
    seconds = serializers.FloatField()
    trained_at = serializers.DateTimeField()


class TrainingStatusSerializer(serializers.Serializer):
    active = TrainedModelSerializer(allow_null=True, help_text="The model serving uses now.")


class QueuedSerializer(serializers.Serializer):
    message = serializers.CharField()


@extend_schema(tags=["staff"])
class TrainingView(APIView):
    """The collaborative model (staff): what serves now, and training on demand."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses=TrainingStatusSerializer)
    def get(self, request):
        model = training.active_model()
        return Response(
            TrainingStatusSerializer({"active": model}).data if model else {"active": None}
        )

    @extend_schema(request=None, responses={202: QueuedSerializer})
    def post(self, request):
        """Queue a training now, even if no interaction changed since the last one.

        A worker trains; GET shows the new model when it is active.
        """
        enqueue_on_commit(tasks.collaborative_train, force=True)
        return Response({"message": "Training queued."}, status=status.HTTP_202_ACCEPTED)
