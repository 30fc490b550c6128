"""The OpenAPI schema documents every endpoint, and its docs pages work offline."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api import anonymous

# Every API path: a new endpoint must be added here, and so to the schema.
API_PATHS = {
    "/api/account/",
    "/api/account/export/",
    "/api/account/tokens/",
    "/api/account/tokens/{id}/",
    "/api/interactions/",
    "/api/interactions/{id}/",
    "/api/items/",
    "/api/items/{id}/",
    "/api/items/{id}/similar/",
    "/api/items/embedding-status/",
    "/api/items/import/",
    "/api/profile/",
    "/api/profile/export/",
    "/api/profile/import/",
    "/api/profile/regenerate/",
    "/api/profile/regenerate/apply/",
    "/api/profile/regenerate/preview/",
    "/api/profile/revisions/",
    "/api/profile/revisions/{number}/",
    "/api/profile/statements/{position}/",
    "/api/profile/undo/",
    "/api/recommendations/",
    "/api/recommendations/preview/",
    "/api/recommendations/steer/",
    "/api/recommendations/steer/preview/",
    "/api/recommendations/why-not/{item_id}/",
    "/api/training/",
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The schema as `manage.py spectacular` writes it; any warning or error fails."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


class TestSchema:
    def test_documents_every_endpoint(self, schema):
        assert set(schema["paths"]) == API_PATHS

    def test_every_answer_has_a_body_schema_and_errors_have_the_one_shape(self, schema):
        for path, method, operation in operations(schema):
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert success, (path, method)
            for code in success:
                if code != "204":
                    content = responses[code]["content"]["application/json"]["schema"]
                    assert content, (path, method, code)
            error = responses["4XX"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}, (path, method)

    def test_documents_both_ways_of_signing_in(self, schema):
        assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}

    def test_is_served_at_api_schema(self, db):
        response = anonymous().get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_the_docs_page_loads_scripts_and_styles_from_our_own_static_files():
    response = anonymous().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
