"""REST endpoints of the signed-in person: interactions, profile, account and API keys.

Every endpoint reads and writes ``request.user``'s own data and nobody
else's: an id that belongs to someone else is answered exactly like an id
that does not exist (404), so the answer reveals nothing.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Item
from profiles import selectors, services
from profiles.models import CONCEPT_MAX_LENGTH, ApiToken, Interaction, ProfileRevision, Statement
from profiles.parser import MAX_STATEMENT_LENGTH, MAX_TOTAL_LENGTH, render_profile
from profiles.revisions import revision_diff
from recsite.api import MAX_ID, MAX_REVISION, StrictFloatField, object_id, validated

# Room for the longest text the parser accepts plus slack, so the parser (not
# the serializer) names the limit a person went over.
MAX_TEXT_BODY = 2 * MAX_TOTAL_LENGTH


def _given(values: dict, leave_out: str = "") -> dict:
    """The fields a client sent (None stands for "not sent"), but ``leave_out``."""
    return {
        name: value for name, value in values.items() if value is not None and name != leave_out
    }


# --- Interactions -----------------------------------------------------------------


class InteractionSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)

    class Meta:
        model = Interaction
        fields = ["id", "item", "item_title", "kind", "value", "timestamp"]
        read_only_fields = fields


class InteractionCreateSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=Item.objects.filter(is_active=True).defer("embedding"),
        help_text="The item's id (hidden items cannot be rated).",
    )
    kind = serializers.ChoiceField(choices=Interaction.Kind.choices)
    value = StrictFloatField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only for a rating: 0.5 to 5 stars, in half stars.",
    )


class InteractionUpdateSerializer(serializers.Serializer):
    value = StrictFloatField(allow_null=True, help_text="A rating's new stars.")


class InteractionFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Interaction.Kind.choices, required=False)
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


@extend_schema(tags=["interactions"])
class InteractionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your ratings, likes, dislikes, "not interested" marks and views, newest first.

    One per item and kind: recording the same kind again replaces it, and a
    like, a dislike and "not interested" withdraw each other.
    """

    permission_classes = [IsAuthenticated]
    serializer_class = InteractionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Interaction.objects.none()
        interactions = (
            Interaction.objects.filter(user=self.request.user)
            .select_related("item")
            .only("id", "item_id", "item__title", "kind", "value", "timestamp")
            .order_by("-timestamp", "-id")
        )
        if self.action == "list":
            filters = validated(InteractionFilterSerializer, self.request.query_params)
            if "kind" in filters:
                interactions = interactions.filter(kind=filters["kind"])
            if "item" in filters:
                interactions = interactions.filter(item_id=filters["item"])
        return interactions

    @extend_schema(parameters=[InteractionFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=InteractionCreateSerializer, responses={201: InteractionSerializer})
    def create(self, request):
        """Record an interaction; again for the same item and kind replaces it."""
        body = validated(InteractionCreateSerializer, request.data)
        interaction = services.interaction_record(user=request.user, **body)
        return Response(InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InteractionUpdateSerializer, responses=InteractionSerializer)
    def partial_update(self, request, pk: str):
        """Change a rating's stars (other kinds have no value)."""
        body = validated(InteractionUpdateSerializer, request.data)
        interaction = services.interaction_update(
            user=request.user, interaction_id=object_id(pk), value=body["value"]
        )
        return Response(InteractionSerializer(interaction).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk: str):
        """Withdraw an interaction."""
        services.interaction_delete(user=request.user, interaction_id=object_id(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The profile ------------------------------------------------------------------


class ExampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class StatementSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="0-based; the address of the line.")
    text = serializers.CharField()
    polarity = serializers.ChoiceField(choices=Statement.Polarity.choices)
    weight = serializers.FloatField(help_text="Strength, 0 to 1.")
    origin = serializers.ChoiceField(choices=Statement.Origin.choices)
    pinned = serializers.BooleanField(help_text="Regeneration never replaces a pinned line.")
    evidence = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the items the line was written from."
    )
    understood_as = serializers.CharField(
        source="embedded_text",
        help_text="What is matched against items: the words without negation or 'I love'.",
    )
    stands_for = serializers.IntegerField(
        help_text="How many of your rated or liked items the line stands for (its group)."
    )
    examples = ExampleSerializer(
        many=True, help_text="The items of its group closest to its centre."
    )
    detached = serializers.BooleanField(
        help_text="Reworded so that it no longer describes its group: it acts by its words alone."
    )
    concept = serializers.CharField(
        help_text=(
            "The label you chose for the line to act on: '' reads it from its words, "
            "'-' acts by meaning only, else a category's name or 'tag:' and a tag, "
            "or several joined by '|' ('Romance|Musical')."
        )
    )


class ProfileSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="Send it back as base_revision with an edit.")
    balance = serializers.FloatField(help_text="1: follow only your words; 0: only your history.")
    personalised = serializers.BooleanField()
    generated_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    text = serializers.CharField(help_text="The statements as editable text.")
    statements = StatementSerializer(many=True)


def _profile_data(user) -> dict:
    profile = services.profile_for(user)
    drafts = services.profile_drafts(profile)
    groups = selectors.line_groups(profile=profile)
    nothing = selectors.LineGroup(0, [])
    return ProfileSerializer(
        {
            "revision": profile.revision,
            "balance": profile.balance,
            "personalised": profile.personalised,
            "generated_at": profile.generated_at,
            "updated_at": profile.updated_at,
            "text": render_profile([draft.parsed() for draft in drafts]),
            "statements": [
                {
                    **draft.snapshot(),
                    "position": position,
                    "stands_for": groups.get(position, nothing).stands_for,
                    "detached": groups.get(position, nothing).detached,
                    "examples": [
                        {"id": item_id, "title": title}
                        for item_id, title in groups.get(position, nothing).examples
                    ],
                }
                for position, draft in enumerate(drafts)
            ],
        }
    ).data


class BaseRevision(serializers.Serializer):
    base_revision = serializers.IntegerField(
        min_value=0,
        max_value=MAX_REVISION,
        help_text="The revision the change is based on; 409 if the profile moved on since.",
    )


class ProfileTextSerializer(BaseRevision):
    text = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_TEXT_BODY,
        help_text="The whole profile as text: 'Likes:' / 'Avoids:' sections of lines.",
    )


class ProfileSettingsSerializer(serializers.Serializer):
    balance = StrictFloatField(
        min_value=0, max_value=1, required=False, allow_null=True, default=None
    )
    personalised = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema(tags=["profile"])
class ProfileView(APIView):
    """Your profile: its statements, as a list and as text, and how it is used."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response(_profile_data(request.user))

    @extend_schema(
        request=ProfileTextSerializer,
        responses={200: ProfileSerializer, 409: OpenApiResponse(description="Stale base_revision")},
    )
    def put(self, request):
        """Replace the statements with what the text says, as a new revision.

        A line that is unchanged keeps its origin, pin and evidence; a bad
        line is a 400 whose ``extra.line`` is its number.
        """
        body = validated(ProfileTextSerializer, request.data)
        services.profile_edit(
            user=request.user,
            edit=services.ReplaceText(body["text"]),
            base_revision=body["base_revision"],
        )
        return Response(_profile_data(request.user))

    @extend_schema(request=ProfileSettingsSerializer, responses=ProfileSerializer)
    def patch(self, request):
        """Change ``balance`` or ``personalised`` (not a revision of the text)."""
        body = validated(ProfileSettingsSerializer, request.data)
        services.profile_settings_update(user=request.user, **_given(body))
        return Response(_profile_data(request.user))


class StatementUpdateSerializer(BaseRevision):
    text = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        trim_whitespace=False,
        max_length=4 * MAX_STATEMENT_LENGTH,
        help_text="New words, read in the line's section: 'not into X' makes an Avoids line.",
    )
    polarity = serializers.ChoiceField(
        choices=Statement.Polarity.choices, required=False, allow_null=True, default=None
    )
    weight = StrictFloatField(
        min_value=0, max_value=1, required=False, allow_null=True, default=None
    )
    pinned = serializers.BooleanField(required=False, allow_null=True, default=None)
    concept = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=CONCEPT_MAX_LENGTH,
        help_text=(
            "The label the line acts on: '' reads it from its words, '-' none (it acts "
            "by meaning only), else a category's name or 'tag:' and a tag of the catalog, "
            "or several joined by '|' ('Romance|Musical')."
        ),
    )


@extend_schema(tags=["profile"])
class StatementView(APIView):
    """One statement of your profile, by position."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=StatementUpdateSerializer, responses=ProfileSerializer)
    def patch(self, request, position: int):
        """Change the line's words, polarity, strength, pin or concept, as a new revision."""
        body = validated(StatementUpdateSerializer, request.data)
        services.profile_edit(
            user=request.user,
            edit=services.ChangeLine(position, **_given(body, leave_out="base_revision")),
            base_revision=body["base_revision"],
        )
        return Response(_profile_data(request.user))

    # 200 with the profile, not the 204 the schema would assume for a DELETE.
    @extend_schema(parameters=[BaseRevision], responses={200: ProfileSerializer})
    def delete(self, request, position: int):
        """Remove the line, as a new revision (undo brings it back).

        ``base_revision`` goes in the query string: many clients send no
        body with DELETE.
        """
        body = validated(BaseRevision, request.query_params)
        services.profile_edit(
            user=request.user,
            edit=services.DeleteLine(position),
            base_revision=body["base_revision"],
        )
        return Response(_profile_data(request.user))


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


@extend_schema(tags=["profile"])
class ProfileRegenerateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: MessageSerializer})
    def post(self, request):
        """Ask for the profile to be written again from your ratings now, unseen.

        A worker does it; lines you wrote or pinned stay. Poll the profile:
        ``generated_at`` and ``revision`` change when it is done. To see what
        would change first, and apply or not: ``regenerate/preview/``.
        """
        services.profile_request_regeneration(user=request.user)
        return Response(
            {"message": "Your profile will be written again from your ratings in a moment."},
            status=status.HTTP_202_ACCEPTED,
        )


class RevisionSummarySerializer(serializers.ModelSerializer):
    statement_count = serializers.SerializerMethodField()

    class Meta:
        model = ProfileRevision
        fields = ["number", "cause", "label", "created_at", "statement_count"]

    def get_statement_count(self, revision: ProfileRevision) -> int:
        return len(revision.statements)


class SnapshotStatementSerializer(serializers.Serializer):
    """A statement as a revision keeps it."""

    text = serializers.CharField()
    polarity = serializers.ChoiceField(choices=Statement.Polarity.choices)
    weight = serializers.FloatField()
    origin = serializers.ChoiceField(choices=Statement.Origin.choices, default="user")
    pinned = serializers.BooleanField(default=False)
    evidence = serializers.ListField(child=serializers.IntegerField(), default=list)


class ChangedStatementSerializer(serializers.Serializer):
    before = SnapshotStatementSerializer()
    after = SnapshotStatementSerializer()


class RevisionDiffSerializer(serializers.Serializer):
    added = SnapshotStatementSerializer(many=True)
    removed = SnapshotStatementSerializer(many=True)
    changed = ChangedStatementSerializer(many=True)


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    cause = serializers.ChoiceField(choices=ProfileRevision.Cause.choices)
    label = serializers.CharField(help_text="What happened, in words.")
    created_at = serializers.DateTimeField()
    statements = SnapshotStatementSerializer(many=True)
    previous = serializers.IntegerField(
        allow_null=True, help_text="The revision the diff is against (null: the first one)."
    )
    diff = RevisionDiffSerializer(help_text="What changed since the previous revision.")


@extend_schema(tags=["profile"])
class RevisionListView(ListAPIView):
    """Your profile's revisions, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = RevisionSummarySerializer

    def get_queryset(self):
        return ProfileRevision.objects.filter(profile__user=self.request.user).order_by("-number")


def _own_revisions(user):
    return ProfileRevision.objects.filter(profile__user=user)


@extend_schema(tags=["profile"])
class RevisionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RevisionSerializer)
    def get(self, request, number: int):
        """One revision's statements and what changed since the one before it."""
        revision = _own_revisions(request.user).filter(number=number).first()
        if revision is None:
            raise exceptions.NotFound(f"Your profile has no revision {number}.")
        previous = _own_revisions(request.user).filter(number__lt=number).order_by("-number")
        previous = previous.first()
        before = previous.statements if previous else []
        return Response(
            RevisionSerializer(
                {
                    "number": revision.number,
                    "cause": revision.cause,
                    "label": revision.label or revision.get_cause_display(),
                    "created_at": revision.created_at,
                    "statements": revision.statements,
                    "previous": previous.number if previous else None,
                    "diff": revision_diff(before, revision.statements),
                }
            ).data
        )


class UndoSerializer(BaseRevision):
    number = serializers.IntegerField(
        min_value=0,
        max_value=MAX_REVISION,
        help_text="The revision to bring back (0: the empty profile).",
    )


@extend_schema(tags=["profile"])
class ProfileUndoView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=UndoSerializer, responses=ProfileSerializer)
    def post(self, request):
        """Bring back the statements of revision ``number``, as a new revision."""
        body = validated(UndoSerializer, request.data)
        services.profile_edit(
            user=request.user,
            edit=services.RestoreRevision(body["number"]),
            base_revision=body["base_revision"],
        )
        return Response(_profile_data(request.user))


class ExportedStatementSerializer(serializers.Serializer):
    text = serializers.CharField()
    polarity = serializers.ChoiceField(choices=Statement.Polarity.choices)
    weight = serializers.FloatField()
    origin = serializers.ChoiceField(choices=Statement.Origin.choices)
    pinned = serializers.BooleanField()
    concept = serializers.CharField(required=False, help_text="The label chosen for the line.")
    evidence = serializers.ListField(
        child=serializers.CharField(), help_text="The items' external ids."
    )


class ProfileExportSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="Always recsite-profile.")
    version = serializers.IntegerField()
    revision = serializers.IntegerField()
    balance = serializers.FloatField()
    text = serializers.CharField()
    statements = ExportedStatementSerializer(many=True)


@extend_schema(tags=["profile"])
class ProfileExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileExportSerializer)
    def get(self, request):
        """The profile as JSON, ready for POST /api/profile/import/ here or elsewhere."""
        return Response(services.profile_export(user=request.user))


class ProfileImportSerializer(BaseRevision):
    profile = serializers.DictField(
        required=False, help_text="An export, as GET /api/profile/export/ returns it."
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_TEXT_BODY,
        help_text="Or profile text, as PUT /api/profile/ takes it.",
    )

    def validate(self, attrs: dict) -> dict:
        if ("profile" in attrs) == ("text" in attrs):
            raise serializers.ValidationError("Send either profile (an export) or text.")
        return attrs


@extend_schema(tags=["profile"])
class ProfileImportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ProfileImportSerializer, responses=ProfileSerializer)
    def post(self, request):
        """Replace the profile from an export or from text, as a new revision.

        Every statement goes through the same parser and limits as typing.
        """
        body = validated(ProfileImportSerializer, request.data)
        services.profile_edit(
            user=request.user,
            edit=services.ImportProfile(body["profile"] if "profile" in body else body["text"]),
            base_revision=body["base_revision"],
        )
        return Response(_profile_data(request.user))


# --- The account and its API keys ------------------------------------------------


class AccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    date_joined = serializers.DateTimeField()
    is_staff = serializers.BooleanField()


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(
        trim_whitespace=False,
        max_length=4096,
        help_text="Your password: a key alone cannot delete the account.",
    )

    def validate_password(self, password: str) -> str:
        if not self.context["user"].check_password(password):
            raise serializers.ValidationError("That is not your password.")
        return password


@extend_schema(tags=["account"])
class AccountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AccountSerializer)
    def get(self, request):
        """Who you are signed in as."""
        return Response(AccountSerializer(request.user).data)

    @extend_schema(request=AccountDeleteSerializer, responses={204: None})
    def delete(self, request):
        """Delete your account and everything that is yours. There is no undo.

        Download it first with GET /api/account/export/.
        """
        confirmation = AccountDeleteSerializer(data=request.data, context={"user": request.user})
        confirmation.is_valid(raise_exception=True)
        services.account_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["account"])
class AccountExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=OpenApiResponse(
            OpenApiTypes.OBJECT,
            description=(
                "Everything stored about you: account, interactions, profile and its "
                "revisions, API keys (never the keys themselves), recommendation logs."
            ),
        )
    )
    def get(self, request):
        """Download all your data."""
        return Response(services.account_export(user=request.user))


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    key = serializers.CharField(help_text="Shown this once: only a hash of it is kept.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="Which app or device it is for.")


@extend_schema(tags=["account"])
class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your API keys: send one as ``Authorization: Token <key>``."""

    permission_classes = [IsAuthenticated]
    serializer_class = TokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return selectors.api_tokens(user=self.request.user)

    @extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer})
    def create(self, request):
        """Make a key; the answer holds the key itself, which is never shown again."""
        body = validated(TokenCreateSerializer, request.data)
        token, key = services.token_create(user=request.user, name=body["name"])
        token.key = key
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk: str):
        """Revoke a key: requests that send it are refused from now on."""
        services.token_revoke(user=request.user, token_id=object_id(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
