"""The catalog and the interactions as arrays: what every protocol reads.

Built from the rows the import readers return (``catalog.importers.ItemRow``,
``profiles.importers.InteractionRow``): the same files and the same checks as
``import_catalog``, ``import_interactions`` and ``import_movielens``. Items
and people become dense indexes 0..n-1 in file order.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from catalog.text import item_text_of
from recsite.errors import ImportFileError

# What counts as a signal for the profile writer (engine.profiles.SIGNAL_KINDS);
# a view is none.
SIGNAL_KINDS = ("rating", "like", "dislike", "not_interested")


@dataclass(frozen=True)
class Catalog:
    external_ids: list[str]
    titles: list[str]
    categories: list[tuple[str, ...]]
    tags: list[tuple[str, ...]]
    texts: list[str]  # what each item is embedded from (catalog.text.item_text)
    vectors: np.ndarray | None = None  # n x d, L2-normalised, once embedded

    def __len__(self) -> int:
        return len(self.external_ids)

    def with_vectors(self, vectors: np.ndarray) -> "Catalog":
        return replace(self, vectors=np.asarray(vectors, dtype=np.float32))

    def label_counts(self) -> dict[str, int]:
        """How many items carry each label (casefolded), as the profile writer needs."""
        counts: dict[str, int] = {}
        for labels in (*self.categories, *self.tags):
            for label in labels:
                key = label.casefold()
                counts[key] = counts.get(key, 0) + 1
        return counts

    def category_names(self) -> list[str]:
        """Every category, most items first (ties: alphabetical)."""
        counts: dict[str, int] = {}
        for labels in self.categories:
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
        return sorted(counts, key=lambda name: (-counts[name], name))

    def in_category(self, name: str) -> np.ndarray:
        """Boolean per item: carries category ``name``."""
        return np.array([name in labels for labels in self.categories], dtype=bool)


@dataclass(frozen=True)
class Interactions:
    """Row-aligned arrays, one row per interaction, in file order."""

    user: np.ndarray  # int64 person index
    item: np.ndarray  # int64 item index
    kind: np.ndarray  # str: rating, like, dislike, not_interested, view
    value: np.ndarray  # float64 rating, NaN for other kinds
    time: np.ndarray  # float64 unix seconds
    people: list[str]  # person index -> name in the file

    def __len__(self) -> int:
        return len(self.user)

    @property
    def positive(self) -> np.ndarray:
        """A like, or a rating of 4 or more (Interaction.is_positive)."""
        rated = (self.kind == "rating") & (np.nan_to_num(self.value, nan=0.0) >= 4.0)
        return rated | (self.kind == "like")

    def subset(self, mask: np.ndarray) -> "Interactions":
        return Interactions(
            user=self.user[mask],
            item=self.item[mask],
            kind=self.kind[mask],
            value=self.value[mask],
            time=self.time[mask],
            people=self.people,
        )

    def pairs(self, n_items: int) -> np.ndarray:
        """One int64 key per (person, item)."""
        return self.user * np.int64(max(n_items, 1)) + self.item


def catalog_from_rows(rows: Sequence) -> Catalog:
    """Active items of ``ItemRow``s (an item marked ``is_active: false`` is left out)."""
    kept = [row for row in rows if row.values.get("is_active", True)]
    return Catalog(
        external_ids=[row.external_id for row in kept],
        titles=[row.values["title"] for row in kept],
        categories=[tuple(row.values.get("categories", [])) for row in kept],
        tags=[tuple(row.values.get("tags", [])) for row in kept],
        texts=[item_text_of(row.values) for row in kept],
    )


def interactions_from_rows(rows: Sequence, catalog: Catalog) -> Interactions:
    """``InteractionRow``s on the catalog's items as arrays.

    An item the catalog does not have is an error naming the file, line and
    field, as in ``import_interactions``. A row without a timestamp means
    "now" to the importer; here it counts as later than every dated row, so
    the split stays reproducible.
    """
    index = {external_id: position for position, external_id in enumerate(catalog.external_ids)}
    people: dict[str, int] = {}
    users, items, kinds, values, times = [], [], [], [], []
    for row in rows:
        if row.item not in index:
            raise ImportFileError(
                path=row.source,
                line=row.line,
                field="item",
                problem=f"no active item {row.item!r} in the catalog",
            )
        users.append(people.setdefault(row.user, len(people)))
        items.append(index[row.item])
        kinds.append(row.kind)
        values.append(np.nan if row.value is None else float(row.value))
        times.append(np.nan if row.timestamp is None else row.timestamp.timestamp())
    time = np.asarray(times, dtype=np.float64)
    if np.isnan(time).any():
        latest = np.nanmax(time) if (~np.isnan(time)).any() else 0.0
        time = np.where(np.isnan(time), latest + 1.0, time)
    return Interactions(
        user=np.asarray(users, dtype=np.int64),
        item=np.asarray(items, dtype=np.int64),
        kind=np.asarray(kinds, dtype=str) if kinds else np.zeros(0, dtype="<U14"),
        value=np.asarray(values, dtype=np.float64),
        time=time,
        people=list(people),
    )
