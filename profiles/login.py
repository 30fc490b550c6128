"""Signing in with a password, with a limit on failed attempts.

Failures are counted in Django's cache, per username and per client address,
over a window of LOGIN_FAILURE_WINDOW_SECONDS from the first failure. Past
LOGIN_FAILURES_PER_USERNAME (or LOGIN_FAILURES_PER_ADDRESS) the form refuses
to check any password, the right one included, and says how long to wait:
guessing then costs an attacker the whole window per few guesses. The
username limit is what stops a guesser spread over many addresses; the
address limit, higher because people share addresses, stops one address
trying many usernames.

Both the website's log-in page and the admin's use these forms. The counts
live in Django's cache: with CACHE_URL (Redis) every process and machine
shares them; without it each process counts alone, and N web processes allow
N times the limits.
"""

import hashlib
import math
import time

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest

TOO_MANY = "too_many_attempts"


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting as many X-Forwarded-For hops as the API does.

    With API_TRUSTED_PROXIES=0 (the default) the socket's address, which a
    client cannot forge; behind N proxies that append to X-Forwarded-For, the
    address the outermost trusted proxy saw.
    """
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def _keys(kind: str, value: str) -> tuple[str, str]:
    # Hashed: a username may hold characters a cache key (memcached) cannot.
    digest = hashlib.sha256(value.encode()).hexdigest()
    return f"login-failures:{kind}:{digest}", f"login-failures-until:{kind}:{digest}"


def _subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    # Usernames are looked up case-sensitively, but "Alice" and "alice" are
    # one guesser's two tries, so they share a count.
    return [
        ("username", username.strip().casefold(), settings.LOGIN_FAILURES_PER_USERNAME),
        ("address", address, settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_failure_record(*, username: str, address: str) -> None:
    """Count one failed attempt against the username and the address."""
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for kind, value, _ in _subjects(username, address):
        count_key, until_key = _keys(kind, value)
        # add() only sets a missing key, so the window runs from the first
        # failure; incr() is atomic in every cache backend that has one.
        cache.add(until_key, time.time() + window, window)
        cache.add(count_key, 0, window)
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add() and incr()
            cache.set(count_key, 1, window)


def login_failures_clear(*, username: str) -> None:
    """A correct password ends the username's count (never the address's)."""
    cache.delete_many(_keys("username", username.strip().casefold()))


def login_wait_seconds(*, username: str, address: str) -> tuple[str, int] | None:
    """("username" or "address", seconds left) when a limit is reached, else None."""
    for kind, value, limit in _subjects(username, address):
        count_key, until_key = _keys(kind, value)
        if (cache.get(count_key) or 0) >= limit:
            until = cache.get(until_key) or time.time() + settings.LOGIN_FAILURE_WINDOW_SECONDS
            return kind, max(1, math.ceil(until - time.time()))
    return None


def _wait_message(kind: str, seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    where = "for this username" if kind == "username" else "from your network address"
    return f"Too many failed log-in attempts {where}. Try again in {wait}."


class LimitedAttemptsMixin:
    """Refuses to check a password once the limits are reached; counts failures."""

    wait_seconds: int | None = None

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else ""
        waiting = login_wait_seconds(username=username, address=address)
        if waiting is not None:
            self.wait_seconds = waiting[1]
            raise forms.ValidationError(_wait_message(*waiting), code=TOO_MANY)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(username=username, address=address)
            raise
        login_failures_clear(username=username)
        return cleaned


class LimitedAuthenticationForm(LimitedAttemptsMixin, AuthenticationForm):
    pass


class LimitedAdminAuthenticationForm(LimitedAttemptsMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    """The log-in page; a refusal for too many attempts answers 429."""

    form_class = LimitedAuthenticationForm

    def get_context_data(self, **kwargs):
        # The "Forgot your password?" link, only where a reset mail can be sent.
        return {
            **super().get_context_data(**kwargs),
            "password_reset": settings.PASSWORD_RESET_ENABLED,
        }

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.wait_seconds is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.wait_seconds)
        return response
