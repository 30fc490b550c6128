"""engine.vector_copy: vectors COPYed in binary arrive exactly as sent."""

import numpy as np
import pytest
from django.db import transaction

from catalog.models import Item
from engine import indexing, vector_copy
from tests.factories import make_item


@pytest.mark.django_db
class TestVectorCopy:
    def test_written_vectors_read_back_exactly_and_each_write_only_its_own(self):
        items = [make_item() for _ in range(3)]
        rng = np.random.default_rng(7)
        first, second = rng.normal(size=(2, 384)), rng.normal(size=(1, 384))
        with transaction.atomic():
            indexing._write_vectors(
                ids=[items[0].pk, items[1].pk], vectors=list(first), hashes=["a", "b"], model="m1"
            )
            # The same transaction again: the first chunk's rows are not written twice.
            indexing._write_vectors(
                ids=[items[2].pk], vectors=list(second), hashes=["c"], model="m2"
            )
        stored = {item.pk: item for item in Item.objects.filter(pk__in=[i.pk for i in items])}
        expected = [(first[0], "a", "m1"), (first[1], "b", "m1"), (second[0], "c", "m2")]
        for item, (vector, text_hash, model) in zip(items, expected, strict=True):
            row = stored[item.pk]
            np.testing.assert_array_equal(
                np.asarray(row.embedding, dtype=np.float32), vector.astype(np.float32)
            )
            assert (row.embedding_hash, row.embedding_model) == (text_hash, model)
            assert row.embedded_at is not None

    def test_one_vector_and_one_text_per_id(self):
        with pytest.raises(ValueError, match="one vector and one text per id"):
            vector_copy.binary_rows([1, 2], np.zeros((1, 4)), ["a", "b"])
