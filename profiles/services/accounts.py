"""API keys and the account as a whole (export, deletion)."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from profiles.models import ApiToken, Interaction, ProfileRevision
from profiles.services.interactions import LISTED_CHANGES
from profiles.services.portability import profile_export
from profiles.signals import account_exporting, interactions_changed
from recsite.errors import ApplicationError

# --- API tokens --------------------------------------------------------------

MAX_TOKENS = 20


def _key_hash(key: str) -> str:
    # The key carries 256 random bits, so a plain (fast) hash is enough: there
    # is nothing to brute-force, unlike a password.
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a key for a client app; returns the token and the key, shown only now."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(
            "Give the key a name of 1 to 100 characters.", extra={"field": "name"}
        )
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS:
        raise ApplicationError(
            f"You already have {MAX_TOKENS} keys; revoke one first.", extra={"field": "name"}
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_key_hash(key))
    return token, key


def token_revoke(*, user, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise ApplicationError("You have no such key.", extra={"field": "id"}, status_code=404)


def token_user(key: str):
    """The active account a key belongs to, or None; notes when it was last used."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute per key, not one per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- The account as a whole ------------------------------------------------------


def account_export(*, user) -> dict:
    """Everything stored about the person, as JSON-ready data.

    Other apps add what they keep (the engine: served lists) by answering
    the ``account_exporting`` signal with a dict of sections.
    """
    interactions = (
        Interaction.objects.filter(user=user).select_related("item").order_by("timestamp")
    )
    revisions = ProfileRevision.objects.filter(profile__user=user).order_by("number")
    data = {
        "format": "recsite-account",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        },
        "interactions": [
            {
                "item": i.item.external_id,
                "title": i.item.title,
                "kind": i.kind,
                "value": i.value,
                "timestamp": i.timestamp.isoformat(),
            }
            for i in interactions
        ],
        "profile": profile_export(user=user),
        "revisions": [
            {
                "number": r.number,
                "cause": r.cause,
                "created_at": r.created_at.isoformat(),
                "statements": r.statements,
            }
            for r in revisions
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            }
            for t in ApiToken.objects.filter(user=user)
        ],
    }
    for _, sections in account_exporting.send(sender=ApiToken, user=user):
        data.update(sections or {})
    return data


def account_delete(*, user) -> None:
    """Delete the account and everything that is the person's.

    Interactions, profile, statements, revisions, keys and (through the
    engine's foreign keys) served-list logs go with the user row. Popularity
    and the profiles' neighbours are recomputed from what remains.
    """
    with transaction.atomic():
        item_ids = list(Interaction.objects.filter(user=user).values_list("item_id", flat=True))
        user.delete()
        if item_ids:
            interactions_changed.send(
                sender=Interaction,
                user_ids=[],
                item_ids=item_ids if len(item_ids) <= LISTED_CHANGES else None,
            )
