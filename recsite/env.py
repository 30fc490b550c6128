"""Typed readers for settings that come from the environment.

Each helper fails loudly on a value it cannot understand, naming the variable,
so a typo in a deployment stops the process at start-up instead of being
silently replaced by a default.
"""

import os
from collections.abc import Collection
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def envint(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    """An integer, at least ``low`` and at most ``high`` where given."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        value = default
    else:
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if low is not None and high is not None and not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {value}")
    if low is not None and value < low:
        raise ImproperlyConfigured(f"{name} must be at least {low}, got {value}")
    if high is not None and value > high:
        raise ImproperlyConfigured(f"{name} must be at most {high}, got {value}")
    return value


def envfloat(name: str, default: float, *, low: float, high: float) -> float:
    """A number that must lie between ``low`` and ``high``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def envurl(name: str, *, schemes: Collection[str]) -> str:
    """A URL with one of ``schemes`` and a host (a path for ``unix``), or "" when unset.

    The message names the variable and what is wrong, never the URL itself:
    it may carry a password.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (parsed lazily: a bad port raises here)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid URL ({exc})") from None
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        given = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise ImproperlyConfigured(f"{name} must start with {allowed}; got {given}")
    if parts.scheme == "unix" and not parts.path:
        raise ImproperlyConfigured(f"{name} must name a socket path (unix:///path/to/socket)")
    if parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host ({parts.scheme}://host:port/...)")
    return raw
