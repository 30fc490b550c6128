"""Engine work that reads or writes the database (the glue around the core)."""

from collections.abc import Sequence

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
