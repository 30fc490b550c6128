"""What the engine recorded: served lists and trained models, for reading only."""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from catalog.models import Item
from engine.models import CollaborativeModel, RecommendationLog
from profiles.admin import ReadOnlyAdmin


def pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


class PersonalisedFilter(admin.SimpleListFilter):
    title = "personalised"
    parameter_name = "personalised"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (popular items only)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(params__personalised=self.value() == "yes")
        return queryset


@admin.register(RecommendationLog)
class RecommendationLogAdmin(ReadOnlyAdmin):
    """Every list served: who got it, from which profile revision and model, and why."""

    list_display = ["created_at", "user", "profile_revision", "item_count", "milliseconds", "model"]
    list_filter = [PersonalisedFilter, "model__algorithm", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user", "model"]
    list_per_page = 50
    date_hierarchy = "created_at"
    fields = ["user", "created_at", "profile_revision", "model", "milliseconds", "request"]
    fields += ["served"]
    readonly_fields = fields

    @admin.display(description="items")
    def item_count(self, log: RecommendationLog) -> int:
        return len(log.entries)

    @admin.display(description="request")
    def request(self, log: RecommendationLog) -> str:
        return pretty_json(log.params)

    @admin.display(description="served list")
    def served(self, log: RecommendationLog) -> str:
        """Rank, title, score and the reason shown, in one table."""
        ids = [entry.get("item") for entry in log.entries]
        titles = dict(Item.objects.filter(pk__in=ids).values_list("pk", "title"))
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.get("rank", ""),
                    titles.get(entry.get("item"), f"item {entry.get('item')} (deleted)"),
                    f"{entry['score']:.3f}" if isinstance(entry.get("score"), float) else "",
                    entry.get("rationale", ""),
                )
                for entry in log.entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>rank</th><th>item</th><th>score</th><th>reason</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(CollaborativeModel)
class CollaborativeModelAdmin(ReadOnlyAdmin):
    """Training runs; serving reads the active one (engine/training.py)."""

    list_display = ["trained_at", "algorithm", "is_active", "items", "users", "interactions"]
    list_display += ["seconds"]
    list_filter = ["algorithm", "is_active", "trained_at"]
    search_fields = ["=id", "algorithm"]
    list_per_page = 50
    fields = ["algorithm", "is_active", "trained_at", "items", "users", "interactions", "seconds"]
    fields += ["parameters"]
    readonly_fields = fields

    @admin.display(description="parameters and validation")
    def parameters(self, model: CollaborativeModel) -> str:
        return pretty_json(model.params)
