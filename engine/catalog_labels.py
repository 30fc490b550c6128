"""What the profile writer knows of the catalog's labels: computed by a worker, stored.

The writer (engine.profiles.profile_write) describes a person's groups with
the catalog's label counts, the tags that say nothing about taste and the
label words its descriptions write as names. Each comes from every active
item (their categories, tags and descriptions): at 50,000 items a web
process took 7 s and 30 MB more to read them, and a million items would
hold a "write it again" preview for minutes. So the worker that stores the
catalog's vector statistics (engine.catalog_statistics) computes these too
and stores them in the same row; a process reads them from there and
computes them itself only while no row holds them (a new site whose worker
has not run yet, or a test's own small catalog).
"""

from dataclasses import dataclass

from django.db.models import Count, Max

from catalog.models import Item
from engine import profile_generation as generation

BATCH = 5000  # rows read at a time


@dataclass(frozen=True)
class CatalogLabels:
    counts: dict[str, int]  # active items carrying each label (casefolded)
    items: int  # active items
    refused: frozenset[str]  # tags that say nothing about taste
    cased: dict[str, str]  # label words the descriptions write as names

    def as_json(self) -> dict:
        return {
            "counts": self.counts,
            "items": self.items,
            "refused": sorted(self.refused),
            "cased": self.cased,
        }

    @classmethod
    def from_json(cls, stored: dict) -> "CatalogLabels":
        return cls(
            counts=stored["counts"],
            items=stored["items"],
            refused=frozenset(stored["refused"]),
            cased=stored["cased"],
        )


def catalog_version() -> tuple:
    """What moves whenever an item's labels may have: every write to an item
    moves ``updated_at`` (imports, saves, ``items_set_active``), adding or
    deleting one moves the count. One aggregate over the item table."""
    return tuple(Item.objects.aggregate(count=Count("id"), latest=Max("updated_at")).values())


def labels_compute() -> CatalogLabels:
    """The labels of every active item, read BATCH rows at a time.

    Items share their label lists (a catalog has far fewer distinct
    category and tag combinations than items), so each distinct list is
    kept once.
    """
    counts: dict[str, int] = {}
    shared: dict[tuple, tuple] = {}
    categories, tags = [], []
    rows = Item.objects.filter(is_active=True).values_list("categories", "tags")
    for item_categories, item_tags in rows.iterator(BATCH):
        item_categories, item_tags = tuple(item_categories), tuple(item_tags)
        categories.append(shared.setdefault(item_categories, item_categories))
        tags.append(shared.setdefault(item_tags, item_tags))
        for label in (*item_categories, *item_tags):
            key = label.casefold()
            counts[key] = counts.get(key, 0) + 1
    descriptions = Item.objects.filter(is_active=True).exclude(description="")
    cased = generation.cased_words(
        descriptions.values_list("description", flat=True).iterator(BATCH), counts
    )
    return CatalogLabels(
        counts=counts,
        items=len(categories),
        refused=generation.non_taste_labels(categories, tags),
        cased=cased,
    )
