"""engine.neighbour_cache: a web process keeps the trained neighbour rows it read.

A model's rows never change once written, so a row read for one list serves
the next; a newly trained model is another key, and the rows of the one it
replaced are never served again.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import connection

from engine import candidates, neighbour_cache, training
from engine.person import ListOptions, person_read
from tests.factories import make_interaction, make_item, make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    neighbour_cache.neighbour_cache_clear()
    yield
    neighbour_cache.neighbour_cache_clear()


@pytest.fixture
def shelf(db):
    """Eight books: pairs liked together by a few people each, one liked by nobody."""
    books = [make_item(f"book {n}") for n in range(8)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n in range(12):
        person = make_user()
        pair = (n % 3) * 2
        make_interaction(person, books[pair], value=5.0, timestamp=start + timedelta(n))
        make_interaction(person, books[pair + 1], kind="like", timestamp=start + timedelta(n))
        make_interaction(person, books[6], value=4.0, timestamp=start + timedelta(n))
    return books


def rows_as_dict(rows: training.NeighbourRows) -> dict[int, list[tuple[int, float]]]:
    return {
        int(source): list(
            zip(
                rows.neighbours[rows.indptr[n] : rows.indptr[n + 1]].tolist(),
                rows.scores[rows.indptr[n] : rows.indptr[n + 1]].tolist(),
                strict=True,
            )
        )
        for n, source in enumerate(rows.sources)
    }


def scores_overwritten(model_id: int, item_id: int, score: float) -> None:
    """Change a stored row behind the cache's back (no code path does: a probe
    that tells whether a row came from memory or from the database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE engine_itemneighbours SET scores = array_fill(%s::float8, "
            "ARRAY[cardinality(scores)]) WHERE model_id = %s AND item_id = %s",
            [score, model_id, item_id],
        )


def test_serves_what_the_query_returns_in_the_same_order(shelf):
    model = training.collaborative_train(force=True)
    unknown = max(book.pk for book in shelf) + 1000
    wanted = [shelf[6].pk, unknown, shelf[0].pk, shelf[7].pk, shelf[3].pk]

    read = training.neighbour_rows(model_id=model.pk, item_ids=wanted)
    first = neighbour_cache.cached_neighbour_rows(model=model, item_ids=wanted)
    again = neighbour_cache.cached_neighbour_rows(model=model, item_ids=wanted[::-1])

    assert first.sources.tolist() == wanted
    assert rows_as_dict(first) == rows_as_dict(read) == rows_as_dict(again)
    assert rows_as_dict(first)[shelf[0].pk]  # the pairs have neighbours
    assert rows_as_dict(first)[unknown] == [] and rows_as_dict(first)[shelf[7].pk] == []
    assert np.array_equal(first.indptr, read.indptr)


def test_a_row_read_once_is_served_from_memory_until_a_new_model_is_trained(shelf):
    old = training.collaborative_train(force=True)
    book = shelf[0].pk
    held = rows_as_dict(neighbour_cache.cached_neighbour_rows(model=old, item_ids=[book]))[book]
    scores_overwritten(old.pk, book, 0.123)

    # The same model: the row comes from memory, not the database.
    assert rows_as_dict(neighbour_cache.cached_neighbour_rows(model=old, item_ids=[book])) == {
        book: held
    }

    new = training.collaborative_train(force=True)
    assert new.pk != old.pk and training.active_model() == new
    scores_overwritten(new.pk, book, 0.456)
    served = rows_as_dict(neighbour_cache.cached_neighbour_rows(model=new, item_ids=[book]))[book]

    assert served and {score for _, score in served} == {0.456}  # the new model's row, read


def test_a_list_after_training_draws_on_the_new_model(shelf):
    """Through engine.candidates.gather: what the person's history pulls in
    comes from the model active now, though the old one's row was held."""
    reader = make_user()
    make_interaction(reader, shelf[0], value=5.0)
    old = training.collaborative_train(force=True)
    before = candidates.gather([person_read(reader, ListOptions())], ListOptions())
    assert before.model_id == old.pk
    assert shelf[1].pk in before.owns[0] and shelf[7].pk not in before.owns[0]

    for _ in range(5):  # book 7 is now liked with book 0
        person = make_user()
        make_interaction(person, shelf[0], value=5.0)
        make_interaction(person, shelf[7], kind="like")
    new = training.collaborative_train()
    after = candidates.gather([person_read(reader, ListOptions())], ListOptions())

    assert after.model_id == new.pk != old.pk
    assert shelf[7].pk in after.owns[0]


def test_holds_at_most_its_bound_least_recently_used_leaving_first(shelf, settings):
    model = training.collaborative_train(force=True)
    sizes = rows_as_dict(training.neighbour_rows(model_id=model.pk, item_ids=[b.pk for b in shelf]))
    first, second, third = shelf[0].pk, shelf[2].pk, shelf[4].pk
    # Room for two of these rows (an entry per neighbour, one per row), not three.
    settings.RECOMMEND_NEIGHBOUR_CACHE_ENTRIES = sum(len(sizes[i]) + 1 for i in (first, second))
    assert len(sizes[third]) == len(sizes[second])  # the pairs are alike

    neighbour_cache.cached_neighbour_rows(model=model, item_ids=[first])
    neighbour_cache.cached_neighbour_rows(model=model, item_ids=[second])
    neighbour_cache.cached_neighbour_rows(model=model, item_ids=[first])  # used again
    neighbour_cache.cached_neighbour_rows(model=model, item_ids=[third])  # `second` leaves
    for item_id in (first, second, third):
        scores_overwritten(model.pk, item_id, 0.25)

    served = rows_as_dict(
        neighbour_cache.cached_neighbour_rows(model=model, item_ids=[first, second, third])
    )
    assert served[first] == sizes[first] and served[third] == sizes[third]  # from memory
    assert {score for _, score in served[second]} == {0.25}  # read again
    assert neighbour_cache._entries <= settings.RECOMMEND_NEIGHBOUR_CACHE_ENTRIES


def test_a_bound_of_zero_reads_every_time(shelf, settings):
    settings.RECOMMEND_NEIGHBOUR_CACHE_ENTRIES = 0
    model = training.collaborative_train(force=True)
    book = shelf[0].pk
    neighbour_cache.cached_neighbour_rows(model=model, item_ids=[book])
    scores_overwritten(model.pk, book, 0.75)

    served = rows_as_dict(neighbour_cache.cached_neighbour_rows(model=model, item_ids=[book]))

    assert {score for _, score in served[book]} == {0.75}


def test_the_binary_read_matches_the_query_row_for_row(shelf):
    """engine.training.neighbour_rows parses the arrays' binary form: the same
    rows as the ORM reads (item_neighbours), an empty stored row and a
    missing one too."""
    from engine.models import CollaborativeModel, ItemNeighbours

    model = CollaborativeModel.objects.create(algorithm="itemknn", is_active=True)
    ItemNeighbours.objects.create(
        model=model,
        item=shelf[0],
        neighbour_ids=[shelf[1].pk, shelf[6].pk, 2**40],
        scores=[0.5, -0.25, 1e-300],
    )
    ItemNeighbours.objects.create(model=model, item=shelf[1], neighbour_ids=[], scores=[])
    ItemNeighbours.objects.create(
        model=model, item=shelf[2], neighbour_ids=[shelf[3].pk], scores=[0.125]
    )
    wanted = [shelf[2].pk, shelf[5].pk, shelf[1].pk, shelf[0].pk]

    read = training.neighbour_rows(model_id=model.pk, item_ids=wanted)
    expected = training.item_neighbours(model_id=model.pk, item_ids=wanted)

    assert read.sources.tolist() == wanted
    assert read.indptr.tolist() == [0, 1, 1, 1, 4]
    assert rows_as_dict(read) == expected
    assert read.neighbours.dtype == np.int64 and read.scores.dtype == np.float64
