from django.urls import path, re_path

from profiles import views

app_name = "profiles"
urlpatterns = [
    path("profile/", views.profile_page, name="profile"),
    path("profile/edit/", views.profile_save, name="edit"),
    path("profile/undo/<int:number>/", views.profile_undo_view, name="undo"),
    re_path(r"^profile/export\.(?P<fmt>json|txt)$", views.profile_download, name="export"),
    path("profile/import/", views.profile_upload, name="import"),
    path("profile/regenerate/", views.profile_regenerate, name="regenerate"),
    path(
        "profile/regeneration/",
        views.profile_regeneration_status,
        name="regeneration_status",
    ),
    path("profile/statements/<int:position>/", views.statement_update, name="statement_update"),
    path(
        "profile/statements/<int:position>/delete/",
        views.statement_delete,
        name="statement_delete",
    ),
    path("welcome/", views.welcome, name="welcome"),
    path("accounts/signup/", views.signup, name="signup"),
    path("account/", views.account, name="account"),
    path("account/keys/", views.token_new, name="token_new"),
    path("account/keys/<int:token_id>/revoke/", views.token_remove, name="token_revoke"),
    path("account/data.json", views.account_download, name="account_export"),
    path("account/delete/", views.account_remove, name="account_delete"),
]
