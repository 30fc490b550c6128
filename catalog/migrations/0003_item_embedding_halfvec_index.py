"""Index the item vectors as halfvec, and give the build the memory it needs.

The float32 column stays (every exact computation reads it); the HNSW
index holds half-precision copies: half the size (about 1 kB a row instead
of 2 kB) and half the build memory, with the same recall@10 (measured in
docs/DEPLOY.md, "A million-item catalog").

On a catalog that already has vectors this builds the whole graph, inside
the migration's transaction. pgvector builds fast only while the graph fits
in maintenance_work_mem (PostgreSQL's default, 64 MB, holds about 60,000
rows); the SET LOCAL below raises it for this transaction only. The server
allocates only what the graph needs, up to that.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import pgvector.django.halfvec
import pgvector.django.indexes
from django.db import migrations

# Kept here rather than imported: a migration must build the same index
# whatever later code says. engine.indexing.index_build_settings uses the
# same values for a bulk load's rebuild.
BUILD_SETTINGS = (
    "SELECT set_config('maintenance_work_mem', '2GB', true), "
    "set_config('max_parallel_maintenance_workers', '2', true)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_item_imported_hash"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="item",
            name="item_embedding_hnsw",
        ),
        migrations.RunSQL(BUILD_SETTINGS, reverse_sql=BUILD_SETTINGS),
        migrations.AddIndex(
            model_name="item",
            index=pgvector.django.indexes.HnswIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.comparison.Cast(
                        "embedding", pgvector.django.halfvec.HalfVectorField(dimensions=384)
                    ),
                    name="halfvec_cosine_ops",
                ),
                ef_construction=64,
                m=16,
                name="item_embedding_hnsw",
            ),
        ),
    ]
