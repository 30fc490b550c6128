from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Func

from catalog.models import Item
from catalog.selectors import items_pending_embedding_count
from catalog.services import items_request_embedding, items_set_active


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = (
            Item.objects.annotate(category=Func("categories", function="unnest"))
            .values_list("category", flat=True)
            .distinct()
            .order_by("category")
        )
        return [(name, name) for name in categories]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(categories__contains=[self.value()])
        return queryset


class DecadeFilter(admin.SimpleListFilter):
    """Year, grouped by decade: a catalog spanning a century lists ten entries, not a hundred."""

    title = "year"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        years = (
            Item.objects.exclude(year__isnull=True)
            .order_by()
            .values_list("year", flat=True)
            .distinct()
        )
        decades = sorted({year - year % 10 for year in years}, reverse=True)
        return [(str(decade), f"{decade}s") for decade in decades] + [("none", "Unknown")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(year__isnull=True)
        if value and value.isdigit():
            decade = int(value)
            return queryset.filter(year__gte=decade, year__lt=decade + 10)
        return queryset


class EmbeddedFilter(admin.SimpleListFilter):
    title = "embedding"
    parameter_name = "embedded"

    def lookups(self, request, model_admin):
        return [("yes", "Embedded"), ("no", "Not embedded")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(embedding__isnull=False)
        if self.value() == "no":
            return queryset.filter(embedding__isnull=True)
        return queryset


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "year",
        "category_list",
        "is_active",
        "embedding_state",
        "popularity",
        "external_id",
    ]
    list_filter = [CategoryFilter, DecadeFilter, EmbeddedFilter, "is_active"]
    search_fields = ["title", "external_id", "description"]
    list_per_page = 50
    actions = ["activate", "deactivate", "reembed"]
    readonly_fields = [
        "embedding_status",
        "popularity",
        "rating_mean",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["external_id", "title", "description", "year", "is_active"]}),
        ("Classification", {"fields": ["categories", "tags", "metadata"]}),
        (
            "Computed",
            {
                "fields": [
                    "embedding_status",
                    "popularity",
                    "rating_mean",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # The 384-number vector is never shown in lists; skip loading it.
        return super().get_queryset(request).defer("embedding")

    @admin.display(description="categories")
    def category_list(self, item: Item) -> str:
        return ", ".join(item.categories)

    @admin.display(description="embedding", ordering="embedded_at")
    def embedding_state(self, item: Item) -> str:
        return item.embedding_status(settings.EMBEDDING_MODEL)

    @admin.display(description="embedding")
    def embedding_status(self, item: Item) -> str:
        status = item.embedding_status(settings.EMBEDDING_MODEL)
        if status == "missing":
            return "Not embedded yet (queued when the item was saved)"
        when = f"{item.embedded_at:%Y-%m-%d %H:%M}" if item.embedded_at else "unknown time"
        if status == "outdated":
            return f"Outdated: made by {item.embedding_model} from older text at {when}"
        return f"Current: {item.embedding_model}, {when}"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "embedding_model": settings.EMBEDDING_MODEL,
            "embeddings_pending": items_pending_embedding_count(
                model_name=settings.EMBEDDING_MODEL
            ),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Activate selected items")
    def activate(self, request, queryset):
        changed = items_set_active(
            item_ids=list(queryset.values_list("id", flat=True)), active=True
        )
        self.message_user(request, f"{changed} items activated.", messages.SUCCESS)

    @admin.action(description="Re-embed selected items")
    def reembed(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        items_request_embedding(item_ids=ids)
        self.message_user(request, f"{len(ids)} items queued for re-embedding.", messages.SUCCESS)

    @admin.action(description="Deactivate selected items (hide them from users)")
    def deactivate(self, request, queryset):
        changed = items_set_active(
            item_ids=list(queryset.values_list("id", flat=True)), active=False
        )
        self.message_user(request, f"{changed} items deactivated.", messages.SUCCESS)
