"""The text an item is embedded from (pure functions, no database)."""

import pytest

from catalog.models import Item
from catalog.text import item_text, text_hash

BASE = {
    "title": "The Listening Array",
    "year": 2014,
    "categories": ["Science fiction"],
    "tags": ["first contact", "slow burn"],
    "description": "A technician decodes a signal.",
}


class TestItemText:
    def test_title_labels_then_description(self):
        assert item_text(**BASE) == (
            "The Listening Array (2014)\n"
            "Categories: Science fiction\n"
            "Tags: first contact, slow burn\n"
            "A technician decodes a signal."
        )

    def test_missing_parts_leave_no_empty_lines(self):
        assert item_text(title="Bare", year=None, categories=[], tags=[], description="") == "Bare"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", "Another"),
            ("year", 2015),
            ("categories", ["Mystery"]),
            ("tags", ["first contact"]),
            ("description", "Different."),
        ],
    )
    def test_every_field_changes_the_hash(self, field, value):
        assert text_hash(item_text(**{**BASE, field: value})) != text_hash(item_text(**BASE))

    def test_hash_is_stable(self):
        assert text_hash(item_text(**BASE)) == text_hash(item_text(**dict(BASE)))


class TestEmbeddingStatus:
    def test_missing_current_and_outdated(self):
        item = Item(**BASE)
        assert item.embedding_status("model-a") == "missing"
        item.embedding_model = "model-a"
        item.embedding_hash = text_hash(item.embedding_text())
        assert item.embedding_status("model-a") == "current"
        assert item.embedding_status("model-b") == "outdated"
        item.title = "Renamed"
        assert item.embedding_status("model-a") == "outdated"
