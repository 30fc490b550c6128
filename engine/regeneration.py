""" "Write it again", previewed: the writer's new lines shown before anything is saved.

The preview is computed in the request with the same writer the worker runs
(engine.profiles.profile_write), so it works with or without a live worker:
about a second for a person with 200 ratings on ml-latest-small (README,
"Write it again"). It writes nothing. Its answer carries a signed token
holding the very lines it showed; Apply writes those lines, not a second
run's (an LLM's rewording varies between runs, and ratings may arrive in
between), as one revision labelled like automatic regeneration, and only if
the profile is still at the revision the preview was computed on: a newer
edit is never overwritten (ProfileConflict, 409). Undo restores that base
revision in one step.
"""

from dataclasses import dataclass

from django.core import signing

from engine.profiles import profile_write
from profiles.models import ProfileRevision
from profiles.services import (
    GeneratedChanges,
    MergeGenerated,
    RestoreRevision,
    StatementDraft,
    generated_changes,
    profile_edit,
    profile_for,
    profile_generation_save,
    same_statements,
)
from recsite.errors import ApplicationError

TOKEN_SALT = "engine.regeneration.preview"
# Long enough to read a preview and decide; a stale one is refused by its
# base revision anyway, this only bounds how long a token is worth keeping.
TOKEN_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class RegenerationPreview:
    """What "write it again" would do to the profile, not saved."""

    base_revision: int  # the revision it was computed on; Apply needs it current
    current: list[StatementDraft]
    proposed: list[StatementDraft]
    changes: GeneratedChanges
    label: str  # the revision's label, should it be applied
    changed: bool  # False: the writer would leave the profile as it is
    token: str  # hand back to apply exactly these lines

    def sentences(self) -> list[str]:
        """What would change, in plain words, one sentence a line."""
        section = {"like": "Likes", "avoid": "Avoids"}
        changes = self.changes
        return [
            *(f"New {section[d.polarity]} line: “{d.text}”." for d in changes.added),
            *(
                f"“{old.text}” would read “{new.text}” (the same ratings, new words)."
                for old, new in changes.reworded
            ),
            *(
                f"“{d.text}” would go: your ratings no longer make that group."
                for d in changes.removed
            ),
            *([_kept(len(changes.kept))] if changes.kept else []),
        ]


@dataclass(frozen=True)
class RegenerationApplied:
    revision: ProfileRevision | None  # None: nothing to change
    message: str
    undo: RestoreRevision | None  # takes the whole regeneration back


def regeneration_preview(*, user) -> RegenerationPreview:
    """The lines the writer would give the person now, beside their profile.

    1. Write the lines from the ratings (nothing saved).
    2. Merge them as the writer would (profile_edit with MergeGenerated,
       not saved): pinned and person-written lines stay.
    3. Sign the lines with the base revision, for regeneration_apply.
    """
    written = profile_write(user_id=user.pk)
    new_signals = profile_for(user).signals_since_generation(written.interactions)
    change = profile_edit(
        user=user, edit=MergeGenerated(tuple(written.drafts), new_signals), save=False
    )
    token = signing.dumps(
        {
            "user": user.pk,
            "base": change.base_revision,
            "interactions": written.interactions,
            "placed": written.placed,
            "drafts": [draft.snapshot() for draft in written.drafts],
        },
        salt=TOKEN_SALT,
        compress=True,
    )
    return RegenerationPreview(
        base_revision=change.base_revision,
        current=change.before,
        proposed=change.after,
        changes=generated_changes(change.before, change.after),
        label=change.message,
        changed=not same_statements(change.before, change.after),
        token=token,
    )


def regeneration_apply(*, user, token: str) -> RegenerationApplied:
    """Write the previewed lines as one revision, if the profile has not moved on.

    A token that is not this site's, is another person's, or is older than
    TOKEN_MAX_AGE is a 400 naming the ``token`` field; a profile changed
    since the preview is a 409 (ProfileConflict) and nothing is written.
    """
    payload = _payload(user, token)
    revision = profile_generation_save(
        user=user,
        drafts=[StatementDraft.from_snapshot(entry) for entry in payload["drafts"]],
        interactions=payload["interactions"],
        placed=payload["placed"],
        base_revision=payload["base"],
    )
    if revision is None:
        return RegenerationApplied(None, "Nothing to change: your profile stays as it is.", None)
    return RegenerationApplied(revision, revision.label, RestoreRevision(payload["base"]))


def _kept(count: int) -> str:
    return "1 line kept as it is." if count == 1 else f"{count} lines kept as they are."


def _payload(user, token: str) -> dict:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ApplicationError(
            "This preview is too old to apply: ask for a new one.", extra={"field": "token"}
        ) from None
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        raise ApplicationError(
            "This is not a preview of your profile: ask for a new one.", extra={"field": "token"}
        )
    return payload
