import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from catalog.importers import read_items_jsonl
from catalog.models import Item
from catalog.services import items_import
from catalog.signals import embeddings_needed
from engine.encoder import get_encoder, model_location
from engine.indexing import items_embed, items_pending_embedding, store_vectors
from tests.conftest import PROJECT_DIR, project_env
from tests.factories import make_item, write_jsonl


def embedded_at() -> dict[str, object]:
    return dict(Item.objects.values_list("external_id", "embedded_at"))


@pytest.fixture
def shelf(db):
    return [
        make_item("The Listening Array", external_id="a", tags=["first contact"]),
        make_item("Sourdough Sundays", external_id="b", categories=["Cooking"]),
        make_item("The Hollow Manor", external_id="c", categories=["Horror"]),
    ]


@pytest.mark.django_db
class TestEmbedItems:
    def test_embeds_every_item_with_the_model_recorded(self, shelf, capsys):
        call_command("embed_items", sync=True)
        assert "3 items embedded" in capsys.readouterr().out
        for item in Item.objects.all():
            assert item.embedding_status(settings.EMBEDDING_MODEL) == "current"
            assert item.embedding_model == "all-MiniLM-L6-v2"
            expected = get_encoder().encode([item.embedding_text()])[0]
            assert np.allclose(item.embedding, expected, atol=1e-5)

    def test_unchanged_items_are_never_encoded_again(self, shelf, capsys):
        call_command("embed_items", sync=True)
        before = embedded_at()
        call_command("embed_items", sync=True)
        assert "Every item's embedding is current." in capsys.readouterr().out
        assert embedded_at() == before

    def test_only_the_changed_item_is_encoded_again(self, shelf):
        items_embed()
        before = embedded_at()
        shelf[1].description = "Now with rye."
        shelf[1].save()
        assert items_embed().encoded == 1
        after = embedded_at()
        assert after["b"] > before["b"]
        assert (after["a"], after["c"]) == (before["a"], before["c"])

    def test_a_model_change_encodes_everything_again(self, shelf):
        items_embed()
        other_name = model_location("all-MiniLM-L6-v2")  # same weights, another name
        with override_settings(EMBEDDING_MODEL=other_name):
            assert len(items_pending_embedding()) == 3
            assert items_embed().encoded == 3
            assert set(Item.objects.values_list("embedding_model", flat=True)) == {other_name}

    def test_all_flag_reencodes_current_items(self, shelf):
        items_embed()
        before = embedded_at()
        call_command("embed_items", sync=True, all=True)
        assert all(embedded_at()[key] > before[key] for key in before)

    def test_an_item_edited_while_encoding_keeps_its_new_text(self, shelf):
        pending = items_pending_embedding()
        vectors = get_encoder().encode([state.text for state in pending])
        Item.objects.filter(external_id="a").update(title="Renamed meanwhile")
        assert store_vectors(pending, vectors) == 2
        renamed = Item.objects.get(external_id="a")
        assert renamed.embedding is None
        assert [state.id for state in items_pending_embedding()] == [renamed.id]


@pytest.mark.django_db
class TestImportQueuesEmbedding:
    @pytest.fixture
    def requested(self):
        calls = []

        def record(**kwargs):
            calls.append(sorted(kwargs["item_ids"]))

        embeddings_needed.connect(record, dispatch_uid="test-record")
        yield calls
        embeddings_needed.disconnect(dispatch_uid="test-record")

    def test_exactly_the_new_and_changed_items(self, tmp_path, requested):
        rows = [
            {"external_id": "a", "title": "Alpha"},
            {"external_id": "b", "title": "Beta"},
        ]
        items_import(rows=read_items_jsonl(write_jsonl(tmp_path / "1.jsonl", rows)))
        ids = dict(Item.objects.values_list("external_id", "id"))
        assert requested == [[ids["a"], ids["b"]]]
        items_embed()

        requested.clear()
        items_import(rows=read_items_jsonl(write_jsonl(tmp_path / "2.jsonl", rows)))
        assert requested == []

        changed = [rows[0], {"external_id": "b", "title": "Beta", "tags": ["new tag"]}]
        items_import(rows=read_items_jsonl(write_jsonl(tmp_path / "3.jsonl", changed)))
        assert requested == [[ids["b"]]]


@pytest.mark.django_db(transaction=True)
def test_a_killed_run_resumes_where_it_stopped():
    """SIGKILL mid-run: finished chunks stay, the rerun encodes only the rest."""
    for n in range(400):
        make_item(f"Volume {n} of an endless saga about lighthouses and tides", external_id=f"v{n}")
    run = subprocess.Popen(
        [sys.executable, "manage.py", "embed_items", "--sync"],
        cwd=PROJECT_DIR,
        env=project_env(EMBEDDING_CHUNK_SIZE="8"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not Item.objects.exclude(embedding=None).exists():
        assert time.monotonic() < deadline and run.poll() is None
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait()

    first = dict(Item.objects.exclude(embedding=None).values_list("id", "embedded_at"))
    assert 0 < len(first) < 400
    summary = items_embed()
    assert summary.encoded == 400 - len(first)
    assert not Item.objects.filter(embedding=None).exists()
    kept = dict(Item.objects.filter(id__in=first).values_list("id", "embedded_at"))
    assert kept == first
