"""``Authorization: Token <key>`` for client apps (keys made on the account page)."""

from rest_framework import authentication, exceptions

from profiles.services import token_user


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the key as 'Authorization: Token <key>', with no spaces in the key."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That key is not valid.") from None
        user = token_user(key)
        if user is None:
            raise exceptions.AuthenticationFailed("That key is not valid or was revoked.")
        return (user, None)

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 when no
        # credentials were sent.
        return self.keyword
