from django.contrib import admin

from profiles.login import LimitedAdminAuthenticationForm
from profiles.models import Interaction

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
