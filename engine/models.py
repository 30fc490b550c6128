"""What the engine stores: trained collaborative models and served lists."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from catalog.models import Item


class CollaborativeModel(models.Model):
    """One training run of the collaborative model.

    Serving reads the neighbours of the newest model whose ``is_active`` is
    set; a run writes all its rows first and is activated last, in one
    transaction, so a request never sees half a model.
    """

    class Algorithm(models.TextChoices):
        EASE = "ease", "EASE (closed form)"
        ITEMKNN = "itemknn", "Item-kNN (cosine with shrinkage)"

    algorithm = models.CharField(max_length=10, choices=Algorithm.choices)
    # Regularisation, shrinkage, neighbours kept, validation scores...
    params = models.JSONField(default=dict)
    users = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    trained_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return f"{self.get_algorithm_display()} trained {self.trained_at:%Y-%m-%d %H:%M}"


class ItemNeighbours(models.Model):
    """The top neighbours of one item in one model, best first.

    One row per item with parallel arrays: serving reads the rows of a
    person's recent items in one indexed query.
    """

    model = models.ForeignKey(CollaborativeModel, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    neighbour_ids = ArrayField(models.BigIntegerField())
    scores = ArrayField(models.FloatField())

    class Meta:
        constraints = [
            models.UniqueConstraint(name="neighbours_one_per_model_item", fields=["model", "item"])
        ]

    def __str__(self) -> str:
        return f"{len(self.neighbour_ids)} neighbours of item {self.item_id}"


class RecommendationLog(models.Model):
    """One list served to one person, as it was shown and why.

    ``entries``: [{"item", "rank", "score", "contributions": {term: value},
    "statements": [text], "history": [item id], "rationale"}, ...].
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendation_logs"
    )
    profile_revision = models.PositiveIntegerField()
    # The request: k, category, personalised, balance, diversity.
    params = models.JSONField(default=dict)
    entries = models.JSONField(default=list)
    model = models.ForeignKey(
        CollaborativeModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    milliseconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(name="reclog_user_time", fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{len(self.entries)} items for {self.user} at revision {self.profile_revision}"


class CatalogStatistics(models.Model):
    """The catalog's vector statistics, computed by a worker after embeddings change.

    Web processes read the newest row (engine.catalog_cache.catalog_stats)
    instead of every item vector. ``fingerprint`` digests what the numbers
    were computed from (engine.catalog_statistics.catalog_fingerprint);
    ``vectors_key`` is its part that moves the mean and covariance, so a
    change of popularity alone reuses them.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    vectors_key = models.CharField(max_length=64)
    items = models.PositiveIntegerField()  # active, embedded items the moments cover
    dimensions = models.PositiveIntegerField()
    mean = models.BinaryField()  # float64, little-endian, ``dimensions`` values
    covariance = models.BinaryField()  # float64, little-endian, dimensions x dimensions
    max_popularity = models.PositiveIntegerField(default=0)
    categories = models.JSONField(default=list)  # every category an active item has
    # What the profile writer knows of the labels (engine.catalog_labels); {}: not computed.
    labels = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"statistics of {self.items} items at {self.computed_at:%Y-%m-%d %H:%M}"
