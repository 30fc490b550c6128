"""The engine's endpoints under /api/: items, recommendations and training (engine/api.py) and
the previewed "write it again" (engine/api_regeneration.py)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engine import api, api_regeneration

router = SimpleRouter()
router.register("items", api.ItemViewSet, basename="item")
router.register("recommendations", api.RecommendationViewSet, basename="recommendation")

app_name = "engine_api"
urlpatterns = [
    path("training/", api.TrainingView.as_view(), name="training"),
    path(
        "profile/regenerate/preview/",
        api_regeneration.RegenerationPreviewView.as_view(),
        name="regeneration-preview",
    ),
    path(
        "profile/regenerate/apply/",
        api_regeneration.RegenerationApplyView.as_view(),
        name="regeneration-apply",
    ),
    path("", include(router.urls)),
]
