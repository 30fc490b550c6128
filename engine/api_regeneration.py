"""The API's "write it again", previewed: what a regeneration would change,
then the same lines saved as one revision (engine.regeneration)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.forms import MAX_TOKEN_LENGTH
from engine.regeneration import regeneration_apply, regeneration_preview
from profiles.models import Statement
from recsite.api import validated


class RegeneratedLineSerializer(serializers.Serializer):
    text = serializers.CharField()
    polarity = serializers.ChoiceField(choices=Statement.Polarity.choices)
    weight = serializers.FloatField()
    origin = serializers.ChoiceField(choices=Statement.Origin.choices)
    pinned = serializers.BooleanField()
    evidence = serializers.ListField(child=serializers.IntegerField())


class RewordedLineSerializer(serializers.Serializer):
    before = RegeneratedLineSerializer()
    after = RegeneratedLineSerializer()


class RegenerationChangesSerializer(serializers.Serializer):
    added = RegeneratedLineSerializer(many=True, help_text="New lines for a new group.")
    removed = RegeneratedLineSerializer(many=True, help_text="Lines whose group is gone.")
    reworded = RewordedLineSerializer(many=True, help_text="The same group, new words.")
    kept = RegeneratedLineSerializer(many=True, help_text="The same words.")


class RegenerationPreviewSerializer(serializers.Serializer):
    base_revision = serializers.IntegerField(help_text="The revision this preview is against.")
    changed = serializers.BooleanField(help_text="False: applying would change nothing.")
    label = serializers.CharField(help_text="The revision's label, if applied.")
    summary = serializers.ListField(
        child=serializers.CharField(), help_text="What would change, in plain words."
    )
    changes = RegenerationChangesSerializer()
    current = RegeneratedLineSerializer(many=True)
    proposed = RegeneratedLineSerializer(many=True)
    token = serializers.CharField(help_text="Send it to apply/ to save exactly these lines.")


class RegenerationApplyBody(serializers.Serializer):
    token = serializers.CharField(max_length=MAX_TOKEN_LENGTH)


class UndoFieldsSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    base_revision = serializers.IntegerField()


class RegenerationAppliedSerializer(serializers.Serializer):
    message = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True, help_text="null: nothing changed.")
    undo = UndoFieldsSerializer(
        allow_null=True, help_text="POST it to /api/profile/undo/ to take it all back."
    )


def _lines(drafts) -> list[dict]:
    return [draft.snapshot() for draft in drafts]


@extend_schema(tags=["profile"])
class RegenerationPreviewView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "preview"

    @extend_schema(request=None, responses=RegenerationPreviewSerializer)
    def post(self, request):
        """What writing the profile again from your ratings would change; saves nothing.

        Computed now, without a worker. Lines you wrote or pinned stay.
        """
        preview = regeneration_preview(user=request.user)
        changes = preview.changes
        return Response(
            RegenerationPreviewSerializer(
                {
                    "base_revision": preview.base_revision,
                    "changed": preview.changed,
                    "label": preview.label,
                    "summary": preview.sentences(),
                    "changes": {
                        "added": _lines(changes.added),
                        "removed": _lines(changes.removed),
                        "reworded": [
                            {"before": old.snapshot(), "after": new.snapshot()}
                            for old, new in changes.reworded
                        ],
                        "kept": _lines(changes.kept),
                    },
                    "current": _lines(preview.current),
                    "proposed": _lines(preview.proposed),
                    "token": preview.token,
                }
            ).data
        )


@extend_schema(tags=["profile"])
class RegenerationApplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RegenerationApplyBody, responses=RegenerationAppliedSerializer)
    def post(self, request):
        """Save a preview's lines as one revision; 409 if the profile changed since.

        ``undo`` takes the whole regeneration back in one step.
        """
        body = validated(RegenerationApplyBody, request.data)
        applied = regeneration_apply(user=request.user, token=body["token"])
        undo = (
            {"number": applied.undo.number, "base_revision": applied.revision.number}
            if applied.undo
            else None
        )
        return Response(
            RegenerationAppliedSerializer(
                {
                    "message": applied.message,
                    "revision": applied.revision.number if applied.revision else None,
                    "undo": undo,
                }
            ).data
        )
