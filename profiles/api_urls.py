"""The signed-in person's endpoints, under /api/ (see profiles/api.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from profiles import api

router = SimpleRouter()
router.register("interactions", api.InteractionViewSet, basename="interaction")
router.register("account/tokens", api.TokenViewSet, basename="token")

app_name = "profiles_api"
urlpatterns = [
    path("profile/", api.ProfileView.as_view(), name="profile"),
    path("profile/statements/<int:position>/", api.StatementView.as_view(), name="statement"),
    path("profile/regenerate/", api.ProfileRegenerateView.as_view(), name="regenerate"),
    path("profile/revisions/", api.RevisionListView.as_view(), name="revision-list"),
    path(
        "profile/revisions/<int:number>/",
        api.RevisionDetailView.as_view(),
        name="revision-detail",
    ),
    path("profile/undo/", api.ProfileUndoView.as_view(), name="undo"),
    path("profile/export/", api.ProfileExportView.as_view(), name="export"),
    path("profile/import/", api.ProfileImportView.as_view(), name="import"),
    path("account/", api.AccountView.as_view(), name="account"),
    path("account/export/", api.AccountExportView.as_view(), name="account-export"),
    path("", include(router.urls)),
]
