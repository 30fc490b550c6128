from django.urls import path, re_path

from profiles import views

app_name = "profiles"
urlpatterns = [
    path("profile/", views.profile_page, name="profile"),
    path("profile/edit/", views.profile_edit, name="edit"),
    path("profile/undo/<int:number>/", views.profile_undo_view, name="undo"),
    re_path(r"^profile/export\.(?P<fmt>json|txt)$", views.profile_download, name="export"),
    path("profile/import/", views.profile_upload, name="import"),
    path("profile/regenerate/", views.profile_regenerate, name="regenerate"),
]
