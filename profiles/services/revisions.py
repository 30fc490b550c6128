"""A profile's past revisions, as restoring one would write them."""

from dataclasses import replace

from django.utils import dateformat, timezone

from catalog.models import Item
from profiles.models import Profile, ProfileRevision
from profiles.revisions import restore_label, revision_words
from profiles.services.statements import StatementDraft
from recsite.errors import ApplicationError


def revision_drafts(*, user, number: int) -> list[StatementDraft]:
    """The statements of revision ``number``, as restoring it would write them (not saved).

    Evidence items deleted from the catalog since are left out; only the
    revision's own evidence ids are looked up. Revision 0 is the empty
    profile every profile starts as: undoing a first revision brings it back.
    """
    if number == 0:
        return []
    old = ProfileRevision.objects.filter(profile__user=user, number=number).first()
    if old is None:
        raise ApplicationError(
            f"There is no revision {number} of this profile.", extra={"field": "revision"}
        )
    drafts = [StatementDraft.from_snapshot(entry) for entry in old.statements]
    cited = {item_id for draft in drafts for item_id in draft.evidence}
    existing = set(Item.objects.filter(pk__in=cited).values_list("pk", flat=True))
    return [replace(d, evidence=tuple(i for i in d.evidence if i in existing)) for d in drafts]


def revision_restore_label(*, user, number: int) -> str:
    """What bringing revision ``number`` back does, in words ("Undid: Less
    of “Gory slasher horror”."): the change it undoes, not revision numbers."""
    current = Profile.objects.filter(user=user).values_list("revision", flat=True).first() or 0
    found = {
        r.number: r
        for r in ProfileRevision.objects.filter(profile__user=user, number__in=[number, number + 1])
    }
    undone = found.get(number + 1)
    then = found.get(number)
    when = dateformat.format(timezone.localtime(then.created_at), "j M, H:i") if then else ""
    return restore_label(
        number=number,
        current=current,
        undone=revision_words(undone.label, undone.cause) if undone else "later changes",
        when=when,
    )
