"""The engine's endpoints under /api/: items, recommendations and training (see engine/api.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engine import api

router = SimpleRouter()
router.register("items", api.ItemViewSet, basename="item")
router.register("recommendations", api.RecommendationViewSet, basename="recommendation")

app_name = "engine_api"
urlpatterns = [
    path("training/", api.TrainingView.as_view(), name="training"),
    path(
        "profile/regenerate/preview/",
        api.RegenerationPreviewView.as_view(),
        name="regeneration-preview",
    ),
    path(
        "profile/regenerate/apply/",
        api.RegenerationApplyView.as_view(),
        name="regeneration-apply",
    ),
    path("", include(router.urls)),
]
