"""Staff endpoints of the engine under /api/ that are not on a router (see engine/api.py)."""

from django.urls import path

from engine import api

app_name = "engine_api"
urlpatterns = [
    path("training/", api.TrainingView.as_view(), name="training"),
]
