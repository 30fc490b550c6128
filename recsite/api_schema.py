"""Additions to the generated OpenAPI schema (settings: DEFAULT_SCHEMA_CLASS)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one shape of every 4xx answer."""

    message = serializers.CharField(help_text="One sentence for a person to read.")
    extra = serializers.DictField(
        help_text=(
            "Details for a program: `fields` maps each bad field to its errors; "
            "a conflict names `base_revision` and `current_revision`."
        )
    )


class AutoSchema(SpectacularAutoSchema):
    """Documents the error shape on every operation, as the 4XX response."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        responses.setdefault(
            "4XX", self._get_response_for_code(ErrorSerializer, "4XX", direction=direction)
        )
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "profiles.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A key made on the account page or with POST /api/account/tokens/, "
                "sent as `Authorization: Token <key>`."
            ),
        }
