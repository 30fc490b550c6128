"""The website's pages that show what the engine computes (its API: engine/api_urls.py)."""

from django.urls import path

from engine import views

app_name = "engine"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/reaction/", views.item_react, name="item_react"),
    path("items/<int:pk>/why-not/", views.item_why_not, name="why_not"),
    path("for-you/", views.for_you, name="for_you"),
    path("for-you/controls/", views.for_you_controls, name="for_you_controls"),
    path("for-you/steer/", views.steer, name="steer"),
    path("profile/preview/", views.profile_preview, name="profile_preview"),
    path(
        "profile/regenerate/preview/",
        views.regeneration_preview_view,
        name="regeneration_preview",
    ),
    path("profile/regenerate/apply/", views.regeneration_apply_view, name="regeneration_apply"),
]
