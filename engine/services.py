"""Engine work that reads or writes the database (the glue around the core)."""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from catalog.models import Item
from profiles.models import Interaction


def item_popularity_refresh(*, item_ids: Sequence[int] | None = None) -> int:
    """Recompute each item's popularity and mean rating from interactions.

    Popularity is the number of people who rated or liked the item; it feeds
    the popularity prior of the recommender. Recomputing from the source rows
    (instead of incrementing) makes the work idempotent: running it twice, or
    after a crash, gives the same result. Returns the number of items written.
    """
    engaged = Interaction.objects.filter(
        item=OuterRef("pk"), kind__in=[Interaction.Kind.RATING, Interaction.Kind.LIKE]
    )
    people = engaged.order_by().values("item").annotate(n=Count("user", distinct=True)).values("n")
    mean = (
        engaged.order_by()
        .values("item")
        .annotate(mean=Avg("value", filter=Q(kind=Interaction.Kind.RATING)))
        .values("mean")
    )
    items = Item.objects.all() if item_ids is None else Item.objects.filter(id__in=item_ids)
    return items.update(
        popularity=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)),
        rating_mean=Subquery(mean),
    )


def items_popularity_stale(*, limit: int) -> list[int]:
    """Ids of items whose stored popularity or mean rating no longer match the interactions.

    The periodic catch-up refreshes them: counts whose refresh could not be
    queued (the broker was down) or was lost with its worker. One pass over
    the ratings and likes, the same rule as item_popularity_refresh; means
    are compared with a tolerance, as two plans may sum in another order.
    """
    items, interactions = Item._meta.db_table, Interaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT item.id FROM {items} AS item
            LEFT JOIN (
                SELECT item_id, count(DISTINCT user_id) AS people,
                       avg(value) FILTER (WHERE kind = %s) AS mean
                FROM {interactions} WHERE kind IN (%s, %s) GROUP BY item_id
            ) AS actual ON actual.item_id = item.id
            WHERE item.popularity <> coalesce(actual.people, 0)
               OR (item.rating_mean IS NULL) <> (actual.mean IS NULL)
               OR abs(item.rating_mean - actual.mean) > 1e-9
            ORDER BY item.id LIMIT %s
            """,
            [Interaction.Kind.RATING, Interaction.Kind.RATING, Interaction.Kind.LIKE, limit],
        )
        return [row[0] for row in cursor.fetchall()]
