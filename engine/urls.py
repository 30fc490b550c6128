from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engine import api, views

router = SimpleRouter()
router.register("items", api.ItemViewSet, basename="item")
router.register("recommendations", api.RecommendationViewSet, basename="recommendation")

app_name = "engine"
urlpatterns = [
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("api/", include(router.urls)),
]
