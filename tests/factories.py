"""Small factories for test data; each returns a saved object."""

import gzip
import json
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from django.contrib.auth import get_user_model

from catalog.models import Item
from profiles import services
from profiles.models import Interaction, ProfileRevision

_sequence = count(1)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_sequence)}"
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", **fields
    )
    return user


def make_item(title: str | None = None, **fields) -> Item:
    number = next(_sequence)
    fields.setdefault("external_id", f"item-{number}")
    fields.setdefault("categories", ["Mystery"])
    return Item.objects.create(title=title or f"Item {number}", **fields)


def make_interaction(user, item, kind="rating", value=None, **fields) -> Interaction:
    if kind == "rating" and value is None:
        value = 4.0
    fields.setdefault("timestamp", datetime(2025, 1, 1, tzinfo=UTC))
    return Interaction.objects.create(user=user, item=item, kind=kind, value=value, **fields)


def profile_write_text(*, user, text: str, base_revision: int | None) -> ProfileRevision:
    """The person saves ``text`` in the profile editor (the one door, as the editor calls it)."""
    return services.profile_edit(
        user=user, edit=services.ReplaceText(text), base_revision=base_revision
    ).revision


def write_lines(path: Path, lines: list[str], *, compress: bool = False) -> Path:
    text = "".join(line + "\n" for line in lines)
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path, objects: list[dict], **kwargs) -> Path:
    return write_lines(path, [json.dumps(obj, ensure_ascii=False) for obj in objects], **kwargs)
