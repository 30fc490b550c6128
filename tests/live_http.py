"""Real HTTP clients for tests that talk to a live server (runserver or pytest-django's)."""

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.test import Client


def api_call(base: str, key: str, method: str, path: str, body: dict | None = None) -> tuple:
    """One API call with a key, as a client app makes it: (status, JSON body, seconds)."""
    request = urllib.request.Request(
        base + path,
        json.dumps(body).encode() if body is not None else None,
        {"Authorization": f"Token {key}", "Content-Type": "application/json"},
        method=method,
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None, time.monotonic() - started


class Browser:
    """A signed-in person's browser: session cookie, CSRF token, redirects followed.

    Remembers the slowest request it made.
    """

    def __init__(self, base: str, user) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.cookies = {settings.SESSION_COOKIE_NAME: session}
        self.slowest = 0.0

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        """(status, page) of ``path``; a form is posted with the CSRF token a page set."""
        cookies = dict(self.cookies)
        headers = dict(headers or {})
        for cookie in self.jar:
            cookies[cookie.name] = cookie.value
            if cookie.name == settings.CSRF_COOKIE_NAME:
                headers["X-CSRFToken"] = cookie.value
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        self.slowest = max(self.slowest, time.monotonic() - started)
        return status, body
