"""Helpers for the API tests: clients signed in the ways real clients sign in."""

from rest_framework.test import APIClient

from profiles.services import token_create

ERROR_SHAPE = {"message", "extra"}


def signed_in(user) -> APIClient:
    """A client that sends one of ``user``'s API keys, as a client app does."""
    _, key = token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def anonymous() -> APIClient:
    return APIClient()


def is_error(response, status: int) -> bool:
    """Whether ``response`` has this status and the one error shape."""
    return response.status_code == status and set(response.json()) == ERROR_SHAPE
