"""Reads of people's interactions, profiles and keys for the website."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from catalog.models import Item
from profiles.models import ApiToken, Interaction, Statement


@dataclass(frozen=True)
class ItemReaction:
    """What one person has said about one item, as the item page's buttons show it."""

    rating: float | None  # 0.5-5 stars, or None
    reaction: str | None  # like, dislike, not_interested, or None (they exclude each other)
    rating_id: int | None = None
    reaction_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.rating is None and self.reaction is None


def item_reaction(*, user, item: Item) -> ItemReaction:
    """The person's rating and like/dislike/not-interested for ``item`` (one query)."""
    rows = Interaction.objects.filter(user=user, item=item).exclude(kind=Interaction.Kind.VIEW)
    found = {"rating": None, "reaction": None, "rating_id": None, "reaction_id": None}
    for pk, kind, value in rows.values_list("pk", "kind", "value"):
        if kind == Interaction.Kind.RATING:
            found.update(rating=value, rating_id=pk)
        else:
            found.update(reaction=kind, reaction_id=pk)
    return ItemReaction(**found)


def person_is_new(*, user) -> bool:
    """Whether nothing steers this person's list yet: no profile lines, no ratings."""
    has_lines = Statement.objects.filter(profile__user=user).exists()
    did = Interaction.objects.filter(user=user).exclude(kind=Interaction.Kind.VIEW)
    return not has_lines and not did.exists()


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The person's API keys, newest first (only the prefix of each key is stored)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


# First key of the advisory lock a profile generator holds for one person
# while it writes (engine.profiles.with_user_lock takes it; here it is only
# looked at, so the page can say a profile is being written).
PROFILE_GENERATION_LOCK_SPACE = 7301


def profile_generation_running(*, user_id: int) -> bool:
    """Whether a worker is writing this person's profile right now."""
    # A two-key advisory lock shows in pg_locks as classid, objid, objsubid 2.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s AND objid = %s AND objsubid = 2)",
            [PROFILE_GENERATION_LOCK_SPACE, user_id],
        )
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class LineGroup:
    """What a profile line stands for: how many of the person's positives are
    its group, and the few of them closest to the group's centre."""

    stands_for: int
    examples: list[tuple[int, str]]  # (item id, title)
    # Reworded so that it no longer describes them: the line acts by its words.
    detached: bool = False


EXAMPLES = 3


def line_groups(*, profile) -> dict[int, LineGroup]:
    """Each line's group by position, in two queries (none for a line without evidence)."""
    statement, evidence, item = (
        Statement._meta.db_table,
        Statement.evidence.through._meta.db_table,
        Item._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT position, item_id, title, detached FROM (
                SELECT s.position, s.detached, i.id AS item_id, i.title, row_number() OVER (
                    PARTITION BY s.id ORDER BY i.embedding <=> s.centre NULLS LAST, i.id
                ) AS n
                FROM {statement} s
                JOIN {evidence} e ON e.statement_id = s.id
                JOIN {item} i ON i.id = e.item_id
                WHERE s.profile_id = %s
            ) ranked WHERE n <= %s ORDER BY position, n
            """,
            [profile.pk, EXAMPLES],
        )
        examples: dict[int, list[tuple[int, str]]] = {}
        detached: set[int] = set()
        for position, item_id, title, cut in cursor.fetchall():
            examples.setdefault(position, []).append((item_id, title))
            if cut:
                detached.add(position)
        cursor.execute(
            f"""
            SELECT s.position, count(DISTINCT x.item_id) FROM {statement} s
            JOIN {evidence} e ON e.statement_id = s.id
            JOIN {Interaction._meta.db_table} x
                ON x.item_id = e.item_id AND x.user_id = %s AND NOT x.excluded
                AND (x.kind = 'like' OR (x.kind = 'rating' AND x.value >= 4))
            WHERE s.profile_id = %s GROUP BY s.position
            """,
            [profile.user_id, profile.pk],
        )
        counts = dict(cursor.fetchall())
    return {
        position: LineGroup(counts.get(position, 0), found, position in detached)
        for position, found in examples.items()
    }
