import hashlib
import json

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Cast, Upper
from pgvector.django import HalfVectorField, HnswIndex, VectorField

from catalog.importers import ITEM_FIELDS
from catalog.text import item_text, text_hash

# The fields an import writes (everything else belongs to the engine).
IMPORTED_FIELDS = tuple(name for name in ITEM_FIELDS if name != "external_id")

# all-MiniLM-L6-v2, the default encoder, writes 384-dimensional vectors.
EMBEDDING_DIMENSIONS = 384
# The vectors are stored as float32 (every exact computation reads them) and
# indexed as halfvec: half the index size and build memory, with the same
# recall@10 (bench/vector_index.py; docs/DEPLOY.md, "A million-item
# catalog"). A nearest-neighbour query walks the index only when it orders
# by this same expression (engine.retrieval).
INDEXED_EMBEDDING = Cast("embedding", HalfVectorField(dimensions=EMBEDDING_DIMENSIONS))
VECTOR_INDEX = "item_embedding_hnsw"


class Item(models.Model):
    """One thing in the catalog: a book, a film, a course."""

    external_id = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    categories = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    tags = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    year = models.SmallIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The vector is current when embedding_model names the configured encoder
    # and embedding_hash is the hash of the text the item would be embedded
    # from now; anything else means it must be re-encoded.
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    embedding_model = models.CharField(max_length=300, blank=True)
    embedding_hash = models.CharField(max_length=64, blank=True)
    embedded_at = models.DateTimeField(null=True, blank=True)

    # The hash of the imported fields as an import last wrote them. An item
    # whose fields no longer hash to it was changed since (in the admin, by
    # the API), and reloading the demo keeps it as it is. Empty: loaded
    # before this was recorded, so nobody can tell.
    imported_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Kept up to date by the engine from interactions (see engine.tasks).
    popularity = models.PositiveIntegerField(
        default=0, help_text="Number of people who rated or liked the item."
    )
    rating_mean = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            HnswIndex(
                OpClass(INDEXED_EMBEDDING, name="halfvec_cosine_ops"),
                name=VECTOR_INDEX,
                m=16,
                ef_construction=64,
            ),
            GinIndex(name="item_categories_gin", fields=["categories"]),
            GinIndex(name="item_tags_gin", fields=["tags"]),
            models.Index(name="item_year", fields=["year"]),
            # A typed line that names a title finds its item (profiles.services.titles).
            models.Index(Upper("title"), name="item_title_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                name="item_year_plausible",
                condition=models.Q(year__isnull=True) | models.Q(year__gte=0, year__lte=2200),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def imported_values_hash(self) -> str:
        """The hash of the fields an import writes, as they are now.

        Keys sorted: PostgreSQL's jsonb does not keep the order metadata came in.
        """
        values = {name: getattr(self, name) for name in IMPORTED_FIELDS}
        encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()

    def changed_since_import(self) -> bool:
        """True when someone changed an imported field after the last import
        wrote it (or when that import predates the hash, and nobody can tell)."""
        return self.imported_hash != self.imported_values_hash()

    def embedding_text(self) -> str:
        return item_text(
            title=self.title,
            year=self.year,
            categories=self.categories,
            tags=self.tags,
            description=self.description,
        )

    def embedding_status(self, model_name: str) -> str:
        """``current``, ``outdated`` (text or model changed since) or ``missing``.

        Reads embedding_model, not the vector, so it works on querysets that
        defer the 384 numbers.
        """
        if not self.embedding_model:
            return "missing"
        if self.embedding_model == model_name and self.embedding_hash == text_hash(
            self.embedding_text()
        ):
            return "current"
        return "outdated"
