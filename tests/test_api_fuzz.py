"""Fuzzing the API from its OpenAPI schema: no input yields a 5xx, every answer fits the schema.

Schemathesis (its command line, in a child process) reads /api/schema/ from
a live server on 127.0.0.1 and sends generated requests, valid and invalid,
to every operation, signed in with a real key of a person who has ratings, a
profile, served lists and staff rights (so the staff endpoints are reached
too). Checks: no server error; status codes, content types, headers and
bodies as documented; and the key still works at the end (a fuzzer that
signed itself out would test nothing but 401s).

This run is bounded (FUZZ_MAX_EXAMPLES cases per operation, a fixed seed so
a failure reproduces); ``bench/api_fuzz.py`` runs the same fuzzing far longer.
"""

import json
import os
import re
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from catalog.models import Item
from profiles.models import ApiToken
from profiles.services import interaction_record, profile_for, token_create
from tests.api import is_error, signed_in
from tests.conftest import PROJECT_DIR
from tests.factories import make_user, profile_write_text

# Checks about the server's own answers. Left out: the checks that judge
# what the schema allows (negative_data_rejection and positive_data_acceptance
# disagree with DRF's lenient parsing of query strings and forms, e.g. "1.0"
# for an integer) and the stateful ones (use_after_free and friends, which
# need links between operations that the schema does not declare).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# The bounded run: the fuzzing phase, 12 generated cases per operation
# (valid and invalid), about 460 requests: 30-40 s on the two-core machine
# this project is built on. bench/api_fuzz.py adds the coverage phase (every
# parameter's boundary and wrong-type values, every undocumented method:
# about 2,300 more requests) and many more cases.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
PHASES = os.environ.get("FUZZ_PHASES", "fuzzing")
SEED = int(os.environ.get("FUZZ_SEED", "20251125"))
# Where bench/api_fuzz.py wants schemathesis' own report.
OUTPUT = os.environ.get("FUZZ_OUTPUT")
# Far above anything a fuzzer sends in a run: throttling would answer 429
# instead of exercising the endpoint.
HIGH_RATES = {"anon": 100_000, "user": 100_000, "write": 100_000, "preview": 100_000}
# The one operation that can revoke the key the fuzzer signs in with.
REVOKE_KEY = "DELETE /api/account/tokens/{id}/"


def far_id(token: ApiToken) -> None:
    """Move a key's row to an id far from the small ids a fuzzer tries."""
    ApiToken.objects.filter(pk=token.pk).update(id=2**40 + secrets.randbelow(2**40))


def fuzz_people(user, catalog: dict) -> tuple[str, str]:
    """Give ``user`` some of everything; return their key and a bystander's.

    Schemathesis learns ids from answers (the key list names the fuzzer's
    own key), so ``REVOKE_KEY`` is sent with the bystander's key: it tries
    the person's key ids as someone else (each must be a 404) and the
    bystander's own spare keys, while the person's key keeps working.
    """
    items = list(catalog.values())
    for item, stars in zip(items[:6], (5, 4, 2, 5, 1, 4.5), strict=True):
        interaction_record(user=user, item=item, kind="rating", value=stars)
    interaction_record(user=user, item=items[7], kind="like")
    interaction_record(user=user, item=items[8], kind="not_interested")
    profile_write_text(
        user=user,
        text="Likes:\n- first contact science fiction\n- cozy mysteries (0.6)\n"
        "Avoids:\n- gory slasher horror",
        base_revision=0,
    )
    token, key = token_create(user=user, name="fuzzer")
    far_id(token)
    bystander = make_user("bystander")
    for number in range(3):
        token_create(user=bystander, name=f"spare {number}")
    token, bystander_key = token_create(user=bystander, name="fuzzer")
    far_id(token)
    return key, bystander_key


def fuzz_config(key: str, bystander_key: str, path: Path) -> Path:
    """schemathesis.toml: the keys (per operation), so they never show in a command line."""
    path.write_text(
        f"headers = {{ Authorization = {json.dumps('Token ' + key)} }}\n\n"
        "[[operations]]\n"
        f"include-name = {json.dumps(REVOKE_KEY)}\n"
        f"headers = {{ Authorization = {json.dumps('Token ' + bystander_key)} }}\n"
    )
    return path


def schemathesis_command(
    base_url: str,
    config: Path,
    *,
    max_examples: int,
    seed: int | None,
    report: Path,
    phases: str = PHASES,
) -> list[str]:
    command = [
        str(Path(PROJECT_DIR) / ".venv/bin/st"),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base_url}/api/schema/?format=json",
        "--url",
        base_url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    return command


@pytest.fixture
def fuzz_server(live_server, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: f"{n}/minute" for scope, n in HIGH_RATES.items()},
    }
    return live_server.url


def test_no_input_yields_a_server_error_and_every_answer_fits_the_schema(
    fuzz_server, sample_catalog, staff, tmp_path
):
    key, bystander_key = fuzz_people(staff, sample_catalog)
    config = fuzz_config(key, bystander_key, tmp_path / "schemathesis.toml")
    report = tmp_path / "junit.xml"
    result = subprocess.run(
        schemathesis_command(
            fuzz_server, config, max_examples=MAX_EXAMPLES, seed=SEED, report=report
        ),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    output = result.stdout + result.stderr
    if OUTPUT:
        Path(OUTPUT).write_text(output)
    assert result.returncode == 0, output[-20_000:]
    # It did fuzz: every operation was reached and every case passed, and no
    # operation saw only 401/403 (the key stayed valid to the end).
    operations = re.search(r"Operations:\s+(\d+) selected / (\d+) total", output)
    assert operations and operations[1] == operations[2], output[-5000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", output)
    assert cases and cases[1] == cases[2], output[-5000:]
    assert int(cases[1]) >= int(operations[1]) * min(MAX_EXAMPLES, 5), output[-5000:]
    assert "Authentication failed" not in output, output[-5000:]
    assert whose_key(fuzz_server, key) == staff.username


def whose_key(base_url: str, key: str) -> str:
    """The username the API says ``key`` signs in, over real HTTP."""
    request = urllib.request.Request(
        f"{base_url}/api/account/", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["username"]


@pytest.mark.django_db
class TestWhatFuzzingFound:
    """Each answer the fuzzer once found wrong: a 500, HTML from the API, a schema that lied."""

    @pytest.mark.parametrize(
        "path",
        ["/api/items/0.5/", "/api/interactions/null,null/", "/api/profile/revisions/x/", "/api/x/"],
    )
    def test_an_api_address_no_route_matches_is_a_404_in_the_error_shape(self, staff, path):
        response = signed_in(staff).get(path)
        assert is_error(response, 404), response.content[:200]
        assert response["Content-Type"] == "application/json"

    def test_a_website_address_no_route_matches_is_still_a_page(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")

    def test_similar_items_of_an_id_that_is_no_number_is_a_404_not_a_500(self, staff):
        response = signed_in(staff).get("/api/items/null,null/similar/")
        assert is_error(response, 404)

    def test_the_schema_says_the_recommendation_list_is_one_object(self, client):
        schema = client.get("/api/schema/?format=json").json()
        answer = schema["paths"]["/api/recommendations/"]["get"]["responses"]["200"]
        body = answer["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/RecommendationList"}

    def test_the_schema_says_removing_a_line_answers_200_with_the_profile(self, owner, client):
        schema = client.get("/api/schema/?format=json").json()
        answers = schema["paths"]["/api/profile/statements/{position}/"]["delete"]["responses"]
        assert "200" in answers and "204" not in answers
        profile_write_text(user=owner, text="Likes:\n- jazz\n- tea", base_revision=0)
        response = signed_in(owner).delete("/api/profile/statements/0/?base_revision=1")
        assert response.status_code == 200
        assert [s["text"] for s in response.json()["statements"]] == ["tea"]

    def test_a_nul_character_in_item_metadata_is_bad_input(self, staff):
        api = signed_in(staff)
        for metadata in ({"author": "Ann\u0000"}, {"a\u0000": 1}, {"x": [{"y": "\u0000"}]}):
            response = api.post(
                "/api/items/",
                {"external_id": "x1", "title": "T", "metadata": metadata},
                format="json",
            )
            assert is_error(response, 400), metadata
            assert "metadata" in response.json()["extra"]["fields"]
        assert not Item.objects.filter(external_id="x1").exists()

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ('{"external_id": "x1", "title": "T\\u0000"}', "title"),
            ('{"external_id": "x1", "title": "T", "metadata": {"a": "\\u0000"}}', "metadata"),
            ('{"external_id": "x1", "title": "T", "tags": ["\\u0000"]}', "tags"),
        ],
    )
    def test_a_nul_character_in_an_imported_catalog_names_line_and_field(self, staff, line, field):
        upload = SimpleUploadedFile("items.jsonl", (line + "\n").encode())
        response = signed_in(staff).post("/api/items/import/", {"file": upload}, format="multipart")
        assert is_error(response, 400)
        assert response.json()["extra"]["line"] == 1
        assert response.json()["extra"]["field"] == field
        assert "NUL" in response.json()["message"]
        assert not Item.objects.filter(external_id="x1").exists()


# Strings a hand-edited or hostile export may carry: NUL, lone surrogates,
# other control characters, long runs, markers and negations.
AWKWARD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("a \u0000\ud800\udfff\u2028\r\n(strong)not-"), max_size=60),
    st.sampled_from(["a\u0000b", "x\ud800y", "\udfff", " " * 400, "not " * 90, "(strong)" * 50]),
)
# Values of the wrong type for any field: strict booleans and numbers.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    AWKWARD_TEXT,
    st.lists(AWKWARD_TEXT, max_size=3),
    st.dictionaries(AWKWARD_TEXT, AWKWARD_TEXT, max_size=2),
)
EXPORTED_STATEMENT = st.fixed_dictionaries(
    {"text": st.one_of(AWKWARD_TEXT, ANY_VALUE)},
    optional={
        "polarity": st.one_of(st.sampled_from(["like", "avoid"]), ANY_VALUE),
        "weight": st.one_of(st.floats(0, 1), ANY_VALUE),
        "pinned": st.one_of(st.booleans(), ANY_VALUE),
        "evidence": st.one_of(st.lists(AWKWARD_TEXT, max_size=3), ANY_VALUE),
    },
)
IMPORT_BODY = st.one_of(
    st.fixed_dictionaries(
        {"profile": st.fixed_dictionaries({"statements": st.lists(EXPORTED_STATEMENT, max_size=4)})}
    ),
    st.fixed_dictionaries({"profile": st.dictionaries(AWKWARD_TEXT, ANY_VALUE, max_size=2)}),
    st.fixed_dictionaries({"text": AWKWARD_TEXT}),
)


@pytest.mark.django_db
class TestProfileImportFuzzed:
    """Profile import, fuzzed with the strings and types schemathesis never sends.

    Schemathesis' JSON holds no lone surrogates and the import's ``profile``
    is a free-form object in the schema, so its statements are generated
    here: the body is sent as raw JSON (escapes and all), as a client can.
    """

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=IMPORT_BODY)
    def test_no_import_body_gives_a_server_error(self, owner, body):
        api = APIClient()
        api.force_authenticate(owner)
        revision = profile_for(owner).revision
        raw = json.dumps({**body, "base_revision": revision})
        response = api.post("/api/profile/import/", raw, content_type="application/json")
        assert response.status_code in (200, 400), (response.status_code, raw[:300])
        if response.status_code == 400:
            assert is_error(response, 400), response.content[:300]

    @pytest.mark.parametrize(
        ("entry", "named"),
        [
            ({"text": "jazz", "pinned": "no"}, "pinned"),
            ({"text": "jazz", "weight": True}, "weight"),
            ({"text": "jazz", "weight": "0.5"}, "weight"),
            ({"text": "a\u0000b"}, "text"),
            ({"text": "x\ud800y"}, "text"),
            ({"text": "jazz", "evidence": ["x\ud800"]}, "evidence"),
        ],
    )
    def test_a_wrong_type_or_character_is_a_400_naming_the_field(self, owner, entry, named):
        raw = json.dumps({"profile": {"statements": [entry]}, "base_revision": 0})
        response = signed_in(owner).post(
            "/api/profile/import/", raw, content_type="application/json"
        )
        assert is_error(response, 400)
        assert response.json()["extra"]["key"] == named
        assert named in response.json()["message"]
        assert profile_for(owner).revision == 0
