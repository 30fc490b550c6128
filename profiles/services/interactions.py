"""Interactions: imports in bulk, and one at a time from the website's buttons and the API."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from catalog.models import Item
from profiles.importers import InteractionRow
from profiles.models import RATING_MAX, RATING_MIN, Interaction
from profiles.selectors import item_reaction
from profiles.signals import interactions_changed
from recsite.errors import ApplicationError, ImportFileError

WRITE_BATCH = 5000
# Above this many changed items, listeners are told "everything changed"
# rather than handed a huge id list.
LISTED_CHANGES = 1000


@dataclass(frozen=True)
class InteractionImportSummary:
    interactions: int
    users_created: int


def _users_by_username(usernames: set[str]) -> tuple[dict[str, int], int]:
    """Ids of the accounts named ``usernames``, creating the missing ones.

    Imported people get inactive accounts without a usable password: they
    exist so their history counts, and cannot log in until an admin acts.
    """
    User = get_user_model()
    known = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    missing = sorted(usernames - known.keys())
    User.objects.bulk_create(
        [User(username=name, is_active=False, password=make_password(None)) for name in missing],
        batch_size=WRITE_BATCH,
    )
    if missing:
        known.update(User.objects.filter(username__in=missing).values_list("username", "id"))
    return known, len(missing)


def _items_by_external_id(rows: Sequence[InteractionRow]) -> dict[str, int]:
    """The rows' items by external id; an unknown one aborts with its line."""
    items = dict(
        Item.objects.filter(external_id__in={row.item for row in rows}).values_list(
            "external_id", "id"
        )
    )
    for row in rows:
        if row.item not in items:
            raise ImportFileError(
                path=row.source,
                line=row.line,
                field="item",
                problem=f"no item with external_id {row.item!r} in the catalog",
            )
    return items


def _latest_per_key(
    rows: Sequence[InteractionRow], users: dict[str, int], items: dict[str, int]
) -> list[Interaction]:
    """One interaction per (user, item, kind): the latest by timestamp (the
    later line on a tie), as re-rating replaces a rating. No timestamp: now."""
    now = timezone.now()
    latest: dict[tuple[int, int, str], Interaction] = {}
    for row in rows:
        key = (users[row.user], items[row.item], row.kind)
        timestamp = row.timestamp or now
        previous = latest.get(key)
        if previous is None or timestamp >= previous.timestamp:
            latest[key] = Interaction(
                user_id=key[0], item_id=key[1], kind=row.kind, value=row.value, timestamp=timestamp
            )
    return list(latest.values())


def interactions_import(
    *,
    rows: Sequence[InteractionRow],
    on_progress: Callable[[int], None] | None = None,
) -> InteractionImportSummary:
    """Insert or update interactions, one transaction for the whole batch.

    1. Resolve item external ids; an unknown item aborts with its line.
    2. Resolve user names, creating inactive accounts for new ones.
    3. Keep one row per (user, item, kind): the latest by timestamp (later
       line on a tie), as re-rating replaces a rating.
    4. Upsert with INSERT ... ON CONFLICT, then announce the change.
    """
    with transaction.atomic():
        items = _items_by_external_id(rows)
        users, users_created = _users_by_username({row.user for row in rows})
        interactions = _latest_per_key(rows, users, items)
        for start in range(0, len(interactions), WRITE_BATCH):
            batch = interactions[start : start + WRITE_BATCH]
            Interaction.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["user", "item", "kind"],
                update_fields=["value", "timestamp"],
            )
            if on_progress:
                on_progress(len(batch))

        item_ids = sorted({interaction.item_id for interaction in interactions})
        user_ids = sorted({interaction.user_id for interaction in interactions})
        interactions_changed.send(
            sender=Interaction,
            user_ids=user_ids if len(user_ids) <= LISTED_CHANGES else None,
            item_ids=item_ids if len(item_ids) <= LISTED_CHANGES else None,
        )
    return InteractionImportSummary(interactions=len(interactions), users_created=users_created)


# --- Interactions one at a time (website buttons, API) ----------------------

# A like, a dislike and "not interested" answer the same question; giving
# one withdraws the others. A rating and views stand on their own.
REACTIONS = {Interaction.Kind.LIKE, Interaction.Kind.DISLIKE, Interaction.Kind.NOT_INTERESTED}


def interaction_record(*, user, item: Item, kind: str, value: float | None = None) -> Interaction:
    """Rate, like, dislike, mark not interested or view ``item``; again replaces.

    Announced like an import, so popularity, the profile and the
    collaborative model catch up in the background.
    """
    if kind not in Interaction.Kind.values:
        raise ApplicationError(
            f"kind must be one of {', '.join(Interaction.Kind.values)}.", extra={"field": "kind"}
        )
    if kind == Interaction.Kind.RATING:
        if value is None or not RATING_MIN <= value <= RATING_MAX or (value * 2) % 1:
            raise ApplicationError(
                f"A rating is {RATING_MIN:g} to {RATING_MAX:g} stars in half stars.",
                extra={"field": "value"},
            )
    elif value is not None:
        raise ApplicationError("Only a rating has a value.", extra={"field": "value"})
    if not item.is_active:
        raise ApplicationError("This item is no longer in the catalog.", extra={"field": "item"})
    with transaction.atomic():
        if kind in REACTIONS:
            Interaction.objects.filter(user=user, item=item, kind__in=REACTIONS - {kind}).delete()
        interaction, _ = Interaction.objects.update_or_create(
            user=user, item=item, kind=kind, defaults={"value": value, "timestamp": timezone.now()}
        )
        interactions_changed.send(sender=Interaction, user_ids=[user.pk], item_ids=[item.pk])
    return interaction


def interaction_update(*, user, interaction_id: int, value: float | None) -> Interaction:
    """Change the value of one of the person's own interactions (a rating's stars)."""
    interaction = (
        Interaction.objects.select_related("item")
        .defer("item__embedding")
        .filter(user=user, pk=interaction_id)
        .first()
    )
    if interaction is None:
        raise ApplicationError(
            "You have no such interaction.", extra={"field": "id"}, status_code=404
        )
    return interaction_record(user=user, item=interaction.item, kind=interaction.kind, value=value)


def interaction_delete(*, user, interaction_id: int) -> None:
    """Withdraw one of the person's own interactions (someone else's is "not found")."""
    with transaction.atomic():
        interaction = Interaction.objects.filter(user=user, pk=interaction_id).first()
        if interaction is None:
            raise ApplicationError(
                "You have no such interaction.", extra={"field": "id"}, status_code=404
            )
        interaction.delete()
        interactions_changed.send(
            sender=Interaction, user_ids=[user.pk], item_ids=[interaction.item_id]
        )


def interaction_exclude(*, user, item_id: int, excluded: bool = True) -> int:
    """Leave an item out of the person's history signal (or bring it back).

    Every row the person has for the item is marked, so a later rating of
    it does not quietly bring it back; nothing is deleted, and the item is
    still never recommended to them again. Returns how many rows changed.
    """
    with transaction.atomic():
        rows = Interaction.objects.filter(user=user, item_id=item_id).exclude(
            kind=Interaction.Kind.VIEW
        )
        if not rows.exists():
            raise ApplicationError(
                "You have not rated or liked that item.", extra={"field": "item"}, status_code=404
            )
        changed = rows.exclude(excluded=excluded).update(excluded=excluded)
        if changed:
            interactions_changed.send(sender=Interaction, user_ids=[user.pk], item_ids=[item_id])
    return changed


def interaction_rating_change(*, user, item_id: int, value: float | None) -> Interaction | None:
    """Set (or with None take back) the person's rating of an item they already have in their
    history; "change my rating" on a reason that names it. Returns the rating, if any."""
    item = Item.objects.defer("embedding").filter(pk=item_id).first()
    if item is None or not Interaction.objects.filter(user=user, item=item).exists():
        raise ApplicationError(
            "You have not rated or liked that item.", extra={"field": "item"}, status_code=404
        )
    if value is None:
        rating = Interaction.objects.filter(user=user, item=item, kind=Interaction.Kind.RATING)
        rating_id = rating.values_list("pk", flat=True).first()
        if rating_id:
            interaction_delete(user=user, interaction_id=rating_id)
        return None
    excluded = Interaction.objects.filter(user=user, item=item, excluded=True).exists()
    interaction = interaction_record(
        user=user, item=item, kind=Interaction.Kind.RATING, value=value
    )
    if excluded and not interaction.excluded:
        # A left-out item stays left out when its rating changes.
        Interaction.objects.filter(pk=interaction.pk).update(excluded=True)
        interaction.excluded = True
    return interaction


def interaction_react(*, user, item: Item, rating: float | None, action: str | None) -> str:
    """One press of an item page's buttons; pressing a reaction again takes it back.

    A rating records stars; "unrate" withdraws the rating; a like, dislike or
    "not interested" that is already the person's reaction is taken back,
    any other one recorded (withdrawing the others). Returns what happened:
    ``rated``, ``unrated``, ``taken_back`` or the recorded reaction's kind.
    """
    with transaction.atomic():
        current = item_reaction(user=user, item=item)
        if rating is not None:
            interaction_record(user=user, item=item, kind=Interaction.Kind.RATING, value=rating)
            return "rated"
        if action == "unrate":
            if current.rating_id:
                interaction_delete(user=user, interaction_id=current.rating_id)
            return "unrated"
        if action == current.reaction and current.reaction_id:
            interaction_delete(user=user, interaction_id=current.reaction_id)
            return "taken_back"
        interaction_record(user=user, item=item, kind=action)
        return action
