from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from pgvector.django import VectorField

from catalog.models import EMBEDDING_DIMENSIONS, Item

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
    # "Don't use this item for recommendations": the row stays (the rating is
    # still the person's, and the item is still never recommended back), but
    # it no longer feeds their history signal or the reasons given.
    excluded = models.BooleanField(default=False)

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


# The balance a profile starts with (0 follows what the person did, 1 what
# they wrote): the one the offline evaluation serves best (docs/EVALUATION.md).
DEFAULT_BALANCE = 0.05


class Profile(models.Model):
    """A person's readable taste: an ordered list of statements, with history.

    ``revision`` is the number of the latest ProfileRevision; an edit names
    the revision it was based on and is refused if another edit came first.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    revision = models.PositiveIntegerField(default=0)
    # How much recommendations follow what the person wrote (1.0) against
    # what they did (0.0).
    balance = models.FloatField(default=DEFAULT_BALANCE)
    # Off: recommendations are popular items (and the category filter) only,
    # for a person who does not want their history or words used.
    personalised = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Generation bookkeeping: when the generator last ran, and how many
    # interactions the person had then (regeneration waits for enough new ones).
    generated_at = models.DateTimeField(null=True, blank=True)
    interactions_at_generation = models.PositiveIntegerField(default=0)
    # When the person last asked for "write it again", until a generation that
    # started after it completes. Stored, not only queued, so that beat's
    # catch-up finds a request whose task was lost.
    regeneration_requested_at = models.DateTimeField(null=True, blank=True)
    # The positives the generator placed in some line: they count through
    # their line (not at all once the person deletes it). The others, and
    # those rated since, are free history (engine.person.user_history).
    placed_items = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="profile_balance_0_to_1", condition=models.Q(balance__gte=0, balance__lte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def signals_since_generation(self, interactions: int) -> int | None:
        """How many of ``interactions`` came since the writer last ran (None: never ran)."""
        if self.generated_at is None:
            return None
        return interactions - self.interactions_at_generation


CONCEPT_MAX_LENGTH = 120  # Statement.concept: a category's or a tag's name, prefixed


class Statement(models.Model):
    class Polarity(models.TextChoices):
        LIKE = "like", "Likes"
        AVOID = "avoid", "Avoids"

    class Origin(models.TextChoices):
        GENERATED = "generated", "Generated from ratings"
        USER = "user", "Written by the person"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="statements")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    polarity = models.CharField(max_length=5, choices=Polarity.choices)
    weight = models.FloatField(default=1.0)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    pinned = models.BooleanField(default=False)
    evidence = models.ManyToManyField(Item, blank=True, related_name="+")
    # What the encoder saw: the text without negation ("I don't like X" -> "X").
    embedded_text = models.CharField(max_length=300)
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    # How well this statement's embedding retrieves its evidence items (0-1);
    # only generated statements have one.
    grounding = models.FloatField(null=True, blank=True)
    # The L2-normalised mean vector of the evidence items (the line's group),
    # set by the engine when it embeds the statement.
    centre = VectorField(dimensions=EMBEDDING_DIMENSIONS, null=True, blank=True)
    # The person reworded the line so that it no longer describes its group:
    # it acts by its words alone (set by the engine, engine.scoring.detached).
    detached = models.BooleanField(default=False)
    # The catalog label the line acts on, as the person chose it in the editor:
    # "" reads it from the words (engine.concepts), parser.CONCEPT_OFF acts by meaning
    # alone, anything else is the label chosen ("Romance", or "tag:zombie"), or
    # the labels, joined by parser.CONCEPT_SEP ("Romance|Musical").
    # Kept while the line's words stay the same, whatever else is edited.
    concept = models.CharField(max_length=CONCEPT_MAX_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["profile", "position"]
        constraints = [
            models.UniqueConstraint(
                name="statement_one_per_position", fields=["profile", "position"]
            ),
            models.CheckConstraint(
                name="statement_weight_0_to_1", condition=models.Q(weight__gte=0, weight__lte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_polarity_display()}: {self.text}"


class ProfileRevision(models.Model):
    """The whole statement list as it was after one change (edit, generation, undo)."""

    class Cause(models.TextChoices):
        EDIT = "edit", "Edited by the person"
        GENERATION = "generation", "Regenerated from ratings"
        UNDO = "undo", "Undo"
        IMPORT = "import", "Imported"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    cause = models.CharField(max_length=12, choices=Cause.choices)
    # Who made the change; empty for the generator (a worker, not a person).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"text", "polarity", "weight", "origin", "pinned", "evidence": [item ids],
    #   "embedded_text", "grounding"}, ...] in order.
    statements = models.JSONField(default=list)
    # What happened, in words ("Less of “Gory slasher horror”: strength 0.6.",
    # "Written again from 5 new ratings: +1 line, 1 line reworded").
    label = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["profile", "-number"]
        constraints = [
            models.UniqueConstraint(
                name="revision_number_per_profile", fields=["profile", "number"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} revision {self.number} ({self.cause})"


class ApiToken(models.Model):
    """A key a person made for a client app; only its hash is stored.

    The key is shown once, when made. A request carries it as
    ``Authorization: Token <key>``; the first characters (``prefix``) are
    stored in clear so the person can tell their keys apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the key
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"
