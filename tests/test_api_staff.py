"""Staff-only endpoints: writing items, bulk import, embedding status, training."""

import gzip
import json

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Item
from catalog.text import text_hash
from engine import tasks
from engine.models import CollaborativeModel
from tests.api import anonymous, is_error, signed_in
from tests.factories import make_interaction, make_item

pytestmark = pytest.mark.django_db

ITEMS = "/api/items/"
IMPORT = "/api/items/import/"
STATUS = "/api/items/embedding-status/"
TRAINING = "/api/training/"


def detail(item: Item) -> str:
    return f"{ITEMS}{item.pk}/"


@pytest.fixture
def api(staff):
    return signed_in(staff)


@pytest.fixture
def queued(monkeypatch):
    """Tasks sent to the broker, by task name: [kwargs, ...]."""
    sent: dict[str, list[dict]] = {}
    for task in (tasks.items_embed, tasks.collaborative_train):
        monkeypatch.setattr(
            task,
            "apply_async",
            lambda args=(), kwargs=None, name=task.name, **options: sent.setdefault(
                name, []
            ).append(kwargs or {}),
        )
    return sent


def upload(name: str, lines: list[str], *, compress: bool = False) -> SimpleUploadedFile:
    content = "".join(line + "\n" for line in lines).encode()
    return SimpleUploadedFile(name, gzip.compress(content) if compress else content)


class TestItemWrites:
    def test_create_queues_the_embedding(self, api, queued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                ITEMS,
                {
                    "external_id": "bk-900",
                    "title": "The Quiet Orbit",
                    "categories": ["Science fiction", " Science  fiction ", ""],
                    "year": 2020,
                    "metadata": {"author": "A. N. Other"},
                },
                format="json",
            )
        assert response.status_code == 201
        body = response.json()
        assert (body["title"], body["categories"], body["embedding"]) == (
            "The Quiet Orbit",
            ["Science fiction"],
            "missing",
        )
        assert queued[tasks.items_embed.name] == [{"item_ids": [body["id"]]}]

    def test_a_text_change_requeues_and_a_visibility_change_does_not(
        self, api, queued, django_capture_on_commit_callbacks
    ):
        item = make_item("Old title")
        item.embedding_model = django_settings.EMBEDDING_MODEL
        item.embedding_hash = text_hash(item.embedding_text())
        item.save()
        with django_capture_on_commit_callbacks(execute=True):
            hidden = api.patch(detail(item), {"is_active": False}, format="json")
        assert hidden.json()["is_active"] is False and hidden.json()["embedding"] == "current"
        assert tasks.items_embed.name not in queued
        with django_capture_on_commit_callbacks(execute=True):
            renamed = api.patch(detail(item), {"title": "New title"}, format="json")
        assert renamed.status_code == 200  # staff change hidden items too
        assert renamed.json()["embedding"] == "outdated"
        assert queued[tasks.items_embed.name] == [{"item_ids": [item.pk]}]

    def test_put_needs_the_required_fields_and_keeps_the_rest(self, api):
        item = make_item("Kept", description="A description", year=1999)
        assert is_error(api.put(detail(item), {"title": "New"}, format="json"), 400)
        body = api.put(
            detail(item), {"external_id": item.external_id, "title": "New"}, format="json"
        ).json()
        assert (body["title"], body["description"], body["year"]) == (
            "New",
            "A description",
            1999,
        )

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "No id"}, "external_id"),
            ({"external_id": "x"}, "title"),
            ({"external_id": "x", "title": "T", "year": 3000}, "year"),
            ({"external_id": "x", "title": "T", "year": "soon"}, "year"),
            ({"external_id": "x", "title": "T", "year": 10**30}, "year"),
            ({"external_id": "x", "title": "T" * 501}, "title"),
            ({"external_id": "x", "title": "T", "categories": "Mystery"}, "categories"),
            ({"external_id": "x", "title": "T", "categories": [{"a": 1}]}, "categories"),
            ({"external_id": "x", "title": "T", "tags": ["t" * 101]}, "tags"),
            ({"external_id": "x", "title": "T", "metadata": [1]}, "metadata"),
            # The catalog import's limits: 200 labels, 64 KiB of metadata as JSON.
            ({"external_id": "x", "title": "T", "tags": [f"t{n}" for n in range(201)]}, "tags"),
            ({"external_id": "x", "title": "T", "metadata": {"n": "x" * 65_530}}, "metadata"),
            ({"external_id": "x", "title": "T", "is_active": "maybe"}, "is_active"),
            ({"external_id": "taken", "title": "T"}, "external_id"),
        ],
    )
    def test_bad_items_are_400s_naming_the_field(self, api, body, field):
        make_item(external_id="taken")
        response = api.post(ITEMS, body, format="json")
        assert is_error(response, 400), response.json()
        assert field in response.json()["extra"]["fields"]
        assert Item.objects.count() == 1

    def test_renaming_onto_a_taken_external_id_is_a_400(self, api):
        make_item(external_id="taken")
        item = make_item(external_id="mine")
        response = api.patch(detail(item), {"external_id": "taken"}, format="json")
        assert is_error(response, 400)
        assert "external_id" in response.json()["extra"]["fields"]

    def test_delete_removes_the_item_and_its_interactions(self, api, owner):
        item = make_item()
        make_interaction(owner, item, "like")
        assert api.delete(detail(item)).status_code == 204
        assert not Item.objects.filter(pk=item.pk).exists()
        assert not owner.interactions.exists()
        assert is_error(api.delete(detail(item)), 404)

    def test_form_bodies_are_refused(self, api):
        response = api.post(ITEMS, {"external_id": "x", "title": "T"})  # multipart
        assert is_error(response, 415)


class TestBulkImport:
    LINES = [
        json.dumps({"external_id": "a-1", "title": "First", "categories": ["Travel"]}),
        json.dumps({"external_id": "a-2", "title": "Second", "year": 2001}),
    ]

    def test_jsonl(self, api, queued, django_capture_on_commit_callbacks):
        make_item(external_id="a-2", title="Old")
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(IMPORT, {"file": upload("items.jsonl", self.LINES)})
        assert response.json() == {"created": 1, "updated": 1}
        assert Item.objects.get(external_id="a-2").title == "Second"
        assert len(queued[tasks.items_embed.name][0]["item_ids"]) == 2

    def test_gzipped_csv(self, api):
        lines = [
            "external_id,title,categories,year,metadata,is_active",
            'c-1,"Tea, a history",History|Food,1999,"{""pages"": 300}",true',
            "c-2,Hidden,,,,false",
        ]
        response = api.post(IMPORT, {"file": upload("items.csv.gz", lines, compress=True)})
        assert response.json() == {"created": 2, "updated": 0}
        tea = Item.objects.get(external_id="c-1")
        assert (tea.title, tea.categories, tea.year, tea.metadata) == (
            "Tea, a history",
            ["History", "Food"],
            1999,
            {"pages": 300},
        )
        assert Item.objects.get(external_id="c-2").is_active is False

    @pytest.mark.parametrize(
        ("name", "lines", "message"),
        [
            ("bad.jsonl", [LINES[0], '{"external_id": "b"}'], "bad.jsonl, line 2, field 'title'"),
            ("bad.jsonl", [LINES[0], "{oops"], "bad.jsonl, line 2: not valid JSON"),
            ("deep.jsonl", ["[" * 100_000], "deep.jsonl, line 1"),
            ("bad.csv", ["external_id,title,year", "x,T,then"], "bad.csv, line 2, field 'year'"),
            ("bad.csv", ["external_id,titel", "x,T"], "bad.csv, line 1, field 'titel'"),
            (
                "bad.csv",
                ["external_id,title,metadata", "x,T,{"],
                "bad.csv, line 2, field 'metadata'",
            ),
            ("blank.jsonl", ["", "  "], "blank.jsonl: contains no items"),
            ("empty.jsonl", [], "file: The submitted file is empty."),
            ("items.txt", LINES, "items.txt: expected a .jsonl or .csv file"),
            ("items.jsonl.gz", LINES, "items.jsonl.gz"),  # named .gz but not gzipped
        ],
    )
    def test_a_bad_file_is_a_400_naming_the_line_and_writes_nothing(
        self, api, name, lines, message
    ):
        response = api.post(IMPORT, {"file": upload(name, lines)})
        assert is_error(response, 400), response.json()
        assert response.json()["message"].startswith(message), response.json()["message"]
        assert not Item.objects.exists()

    def test_an_upload_that_unpacks_past_the_web_s_limit_is_a_400_naming_it(self, api, settings):
        settings.CATALOG_UPLOAD_MAX_UNPACKED_BYTES = 2000
        lines = [json.dumps({"external_id": f"z-{n}", "title": "x" * 90}) for n in range(40)]
        response = api.post(IMPORT, {"file": upload("big.jsonl.gz", lines, compress=True)})
        assert is_error(response, 400)
        assert response.json()["message"] == (
            "big.jsonl.gz, line 16: the file unpacks to more than 2,000 bytes "
            "(CATALOG_UPLOAD_MAX_UNPACKED_BYTES)"
        )
        assert not Item.objects.exists()
        # Not copied whole first either: a file larger than the limit as sent.
        response = api.post(IMPORT, {"file": upload("big.jsonl", lines)})
        assert response.json()["message"] == (
            "big.jsonl: the file is larger than 2,000 bytes (CATALOG_UPLOAD_MAX_UNPACKED_BYTES)"
        )

    def test_the_file_is_required(self, api):
        response = api.post(IMPORT, {})
        assert is_error(response, 400) and "file" in response.json()["extra"]["fields"]
        assert is_error(api.post(IMPORT, {"file": "not a file"}), 400)
        assert is_error(api.post(IMPORT, {"x": 1}, format="json"), 415)


class TestEmbeddingStatus:
    def test_counts_by_state(self, api):
        current = make_item("Current")
        current.embedding_model = django_settings.EMBEDDING_MODEL
        current.embedding_hash = text_hash(current.embedding_text())
        current.save()
        make_item("Outdated", embedding_model="an-older-model", embedding_hash="x")
        make_item("Missing")
        make_item("Missing too")
        assert api.get(STATUS).json() == {
            "model": django_settings.EMBEDDING_MODEL,
            "current": 1,
            "outdated": 1,
            "missing": 2,
            "pending": 3,
        }


class TestTraining:
    def test_post_queues_a_forced_training(self, api, queued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(TRAINING)
        assert response.status_code == 202
        assert queued[tasks.collaborative_train.name] == [{"force": True}]

    def test_get_shows_the_active_model(self, api):
        assert api.get(TRAINING).json() == {"active": None}
        model = CollaborativeModel.objects.create(
            algorithm="ease", is_active=True, users=3, items=5, interactions=9
        )
        active = api.get(TRAINING).json()["active"]
        assert (active["id"], active["algorithm"], active["items"]) == (model.pk, "ease", 5)


class TestStaffOnly:
    def endpoints(self, item: Item) -> list[tuple[str, str, dict | None]]:
        return [
            ("post", ITEMS, {"external_id": "new", "title": "New"}),
            ("put", detail(item), {"external_id": "x", "title": "X"}),
            ("patch", detail(item), {"title": "X"}),
            ("delete", detail(item), None),
            ("post", IMPORT, None),
            ("get", STATUS, None),
            ("get", TRAINING, None),
            ("post", TRAINING, None),
        ]

    def test_other_people_get_403_and_change_nothing(self, owner):
        item = make_item("Unchanged")
        client = signed_in(owner)
        for method, url, body in self.endpoints(item):
            response = getattr(client, method)(url, body, format="json")
            assert is_error(response, 403), (method, url)
        assert list(Item.objects.values_list("title", flat=True)) == ["Unchanged"]

    def test_anonymous_clients_get_401(self, db):
        item = make_item()
        for method, url, body in self.endpoints(item):
            response = getattr(anonymous(), method)(url, body, format="json")
            assert is_error(response, 401), (method, url)

    def test_everyone_still_reads_the_catalog(self, owner):
        item = make_item("Open")
        for client in (anonymous(), signed_in(owner)):
            assert client.get(detail(item)).json()["title"] == "Open"
            assert client.get(ITEMS).json()["count"] == 1
