"""Password reset by email, only where the site can send email.

The routes are Django's own views (accounts/password_reset/ and the rest),
listed before django.contrib.auth.urls so these win. With
PASSWORD_RESET_ENABLED off (no email configured, see recsite/settings.py)
each answers 404: a person is never told that a reset mail was sent when
none can be.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def only_with_email(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Read per request, not at import: settings may differ per process.
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is off: this site sends no email.")
        return view(request, *args, **kwargs)

    return wrapper


urlpatterns = [
    path(
        "password_reset/",
        only_with_email(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        only_with_email(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        only_with_email(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        only_with_email(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
