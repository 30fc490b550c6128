from django.conf import settings
from django.db import models

from catalog.models import Item

RATING_MIN = 0.5
RATING_MAX = 5.0


class Interaction(models.Model):
    """Something a person did with an item.

    One row per (user, item, kind): rating again, liking again or viewing again
    updates the row (value and timestamp) instead of adding one.
    """

    class Kind(models.TextChoices):
        RATING = "rating", "Rating"
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Dislike"
        NOT_INTERESTED = "not_interested", "Not interested"
        VIEW = "view", "View"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Only ratings carry a value: 0.5 to 5 stars.
    value = models.FloatField(null=True, blank=True)
    timestamp = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name="interaction_one_per_user_item_kind", fields=["user", "item", "kind"]
            ),
            models.CheckConstraint(
                name="interaction_rating_has_value_in_range",
                condition=(
                    models.Q(kind="rating", value__gte=RATING_MIN, value__lte=RATING_MAX)
                    | (~models.Q(kind="rating") & models.Q(value__isnull=True))
                ),
            ),
        ]
        indexes = [
            models.Index(name="interaction_user_time", fields=["user", "-timestamp"]),
            models.Index(name="interaction_item_kind", fields=["item", "kind"]),
        ]

    def __str__(self) -> str:
        value = f" {self.value:g}" if self.value is not None else ""
        return f"{self.user} {self.kind}{value} {self.item}"

    @property
    def is_positive(self) -> bool:
        """Whether this says the person wants more like it (rating 4+ or a like)."""
        if self.kind == self.Kind.RATING:
            return self.value is not None and self.value >= 4
        return self.kind == self.Kind.LIKE
