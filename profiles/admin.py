from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from profiles import services
from profiles.login import LimitedAdminAuthenticationForm
from profiles.models import ApiToken, Interaction, Profile, ProfileRevision, Statement
from recsite.errors import ApplicationError

# The admin's log-in page counts failed attempts like the website's.
admin.site.login_form = LimitedAdminAuthenticationForm


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "kind", "value", "timestamp"]
    list_filter = ["kind"]
    search_fields = ["user__username", "item__title", "item__external_id"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]
    date_hierarchy = "timestamp"
    list_per_page = 50


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: each change has its service and its door.

    A profile changes through its owner's edits (a new revision each time);
    served lists and trained models are records of what happened.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatementInline(admin.TabularInline):
    model = Statement
    fields = ["position", "polarity", "text", "weight", "origin", "pinned", "evidence_titles"]
    readonly_fields = fields
    ordering = ["position"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("embedding").prefetch_related("evidence")

    @admin.display(description="evidence")
    def evidence_titles(self, statement: Statement) -> str:
        return ", ".join(item.title for item in statement.evidence.all())


class GeneratedFilter(admin.SimpleListFilter):
    title = "generated from ratings"
    parameter_name = "generated"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "Never")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(generated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(generated_at__isnull=True)
        return queryset


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "statement_count",
        "revision",
        "personalised",
        "balance",
        "generated_at",
        "updated_at",
    ]
    list_filter = ["personalised", GeneratedFilter, "updated_at"]
    search_fields = ["user__username", "user__email", "statements__text"]
    list_select_related = ["user"]
    list_per_page = 50
    fields = [
        "user",
        "revision",
        "revision_history",
        "personalised",
        "balance",
        "generated_at",
        "interactions_at_generation",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [StatementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_count=Count("statements"))

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, profile: Profile) -> int:
        return profile.statement_count

    @admin.display(description="history")
    def revision_history(self, profile: Profile) -> str:
        url = reverse("admin:profiles_profilerevision_changelist")
        return format_html(
            '<a href="{}?profile__id__exact={}">{} revisions (read and restore)</a>',
            url,
            profile.pk,
            profile.revisions.count(),
        )


@admin.register(ProfileRevision)
class ProfileRevisionAdmin(ReadOnlyAdmin):
    list_display = ["number", "owner", "cause", "author", "statement_count", "created_at"]
    list_display_links = ["number", "owner"]
    list_filter = ["cause", "created_at"]
    search_fields = ["profile__user__username", "statements"]
    list_select_related = ["profile__user", "author"]
    list_per_page = 50
    date_hierarchy = "created_at"
    fields = ["profile", "number", "cause", "author", "created_at", "statement_list"]
    readonly_fields = fields
    actions = ["restore"]

    @admin.display(description="person", ordering="profile__user__username")
    def owner(self, revision: ProfileRevision):
        return revision.profile.user

    @admin.display(description="statements")
    def statement_count(self, revision: ProfileRevision) -> int:
        return len(revision.statements)

    @admin.display(description="statements")
    def statement_list(self, revision: ProfileRevision) -> str:
        if not revision.statements:
            return "(none)"
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{}: {} <small>(strength {}, {}{})</small></li>",
                (
                    (
                        Statement.Polarity(entry["polarity"]).label,
                        entry["text"],
                        f"{entry.get('weight', 1.0):g}",
                        entry.get("origin", ""),
                        ", pinned" if entry.get("pinned") else "",
                    )
                    for entry in revision.statements
                ),
            ),
        )

    def has_restore_permission(self, request) -> bool:
        # Restoring changes the person's profile.
        return request.user.has_perm("profiles.change_profile")

    @admin.action(description="Restore this revision (as a new revision)", permissions=["restore"])
    def restore(self, request, queryset):
        """Bring back one revision's statements through the service the person's Undo uses.

        One at a time: restoring two revisions of one profile at once would
        only keep the second, and each restore is a decision about one person.
        """
        chosen = list(queryset.select_related("profile__user")[:2])
        if len(chosen) != 1:
            self.message_user(request, "Select exactly one revision to restore.", messages.ERROR)
            return
        revision = chosen[0]
        profile = revision.profile
        try:
            restored = services.profile_edit(
                user=profile.user,
                edit=services.RestoreRevision(revision.number),
                base_revision=profile.revision,
            ).revision
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        message = f"Restored revision {revision.number} as revision {restored.number}"
        # Who did it: the revision's author is the profile's owner (the service's rule).
        self.log_change(request, profile, f"{message} (admin).")
        self.message_user(request, f"{message} of {profile.user}'s profile.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API keys: list them and revoke them. Never made here, never shown.

    Only a hash of each key is stored; it is left out of every page (it is
    no secret's equal, but it identifies a key and has nothing to tell a
    person). A key is made by its owner, who alone ever sees it.
    """

    list_display = ["name", "prefix_shown", "user", "created_at", "last_used_at"]
    list_filter = ["created_at", "last_used_at"]
    search_fields = ["user__username", "name", "=prefix"]
    list_select_related = ["user"]
    list_per_page = 50
    fields = ["user", "name", "prefix_shown", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="key starts with", ordering="prefix")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    def get_actions(self, request):
        actions = super().get_actions(request)
        # "Revoke" says what happens; Django's generic delete would not go
        # through the service.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke selected API keys", permissions=["delete"])
    def revoke(self, request, queryset):
        tokens = list(queryset.select_related("user"))
        for token in tokens:
            self.delete_model(request, token)
        self.message_user(request, f"{len(tokens)} API keys revoked.", messages.SUCCESS)

    def delete_model(self, request, obj: ApiToken) -> None:
        # The change page's Delete button lands here too.
        services.token_revoke(user=obj.user, token_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
