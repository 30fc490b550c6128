from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("profiles.urls")),
    # The catalog page is the engine's: its search ranks by meaning.
    path("", include("engine.urls")),
]
