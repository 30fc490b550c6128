"""Every way people and imports change what ``profiles`` holds, one module per subject.

- ``interactions``: ratings and reactions, in bulk (imports) and one at a time;
- ``statements``: the statement draft and the one place statements are written;
- ``edits``: the one door every profile change goes through (``profile_edit``);
- ``revisions``: past revisions, as restoring one would write them;
- ``portability``: a profile exported to, and read back from, a file;
- ``accounts``: API keys and the account as a whole.

Callers import the package: ``from profiles import services``.
"""

from profiles.services.accounts import (
    MAX_TOKENS,
    account_delete,
    account_export,
    token_create,
    token_revoke,
    token_user,
)
from profiles.services.edits import (
    AddLines,
    Applied,
    AvoidLine,
    ChangeLine,
    DeleteLine,
    ExcludeItem,
    ExplainItem,
    GeneratedChanges,
    ImportProfile,
    LineChoice,
    MergeGenerated,
    ProfileChange,
    ProfileEdit,
    RateItem,
    ReplaceText,
    RestoreRevision,
    StepStrength,
    concept_checked,
    concept_words,
    generated_changes,
    profile_edit,
    profile_generation_save,
)
from profiles.services.interactions import (
    InteractionImportSummary,
    interaction_delete,
    interaction_exclude,
    interaction_rating_change,
    interaction_react,
    interaction_record,
    interaction_update,
    interactions_import,
)
from profiles.services.portability import imported_drafts, profile_export
from profiles.services.revisions import revision_drafts
from profiles.services.statements import (
    STRENGTH_SCALE,
    ProfileConflict,
    StatementDraft,
    profile_drafts,
    profile_for,
    profile_request_regeneration,
    profile_settings_update,
    same_statements,
    strength_step,
)

__all__ = [
    "MAX_TOKENS",
    "STRENGTH_SCALE",
    "AddLines",
    "Applied",
    "AvoidLine",
    "ChangeLine",
    "DeleteLine",
    "ExcludeItem",
    "ExplainItem",
    "GeneratedChanges",
    "ImportProfile",
    "InteractionImportSummary",
    "LineChoice",
    "MergeGenerated",
    "ProfileChange",
    "ProfileConflict",
    "ProfileEdit",
    "RateItem",
    "ReplaceText",
    "RestoreRevision",
    "StatementDraft",
    "StepStrength",
    "account_delete",
    "account_export",
    "concept_checked",
    "concept_words",
    "generated_changes",
    "imported_drafts",
    "interaction_delete",
    "interaction_exclude",
    "interaction_rating_change",
    "interaction_react",
    "interaction_record",
    "interaction_update",
    "interactions_import",
    "profile_drafts",
    "profile_edit",
    "profile_export",
    "profile_for",
    "profile_generation_save",
    "profile_request_regeneration",
    "profile_settings_update",
    "revision_drafts",
    "same_statements",
    "strength_step",
    "token_create",
    "token_revoke",
    "token_user",
]
