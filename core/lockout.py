"""Lockout after repeated failed logins, for the token endpoint, the login page and the admin.

Failures are counted per username in the cache (shared by every web process when
`CACHE_URL` points at Redis). After LOGIN_FAILURES_BEFORE_LOCKOUT failures within
LOGIN_LOCKOUT_SECONDS, the username is refused for that long, right password or not.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied


def _key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked(username: str) -> bool:
    return cache.get(_key(username), 0) >= settings.LOGIN_FAILURES_BEFORE_LOCKOUT


def failure_record(username: str) -> None:
    key = _key(username)
    if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def failures_clear(username: str) -> None:
    cache.delete(_key(username))


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing a locked username before checking its password and
    counting each wrong password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if username and is_locked(username):
            raise PermissionDenied  # authenticate() stops here and returns None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username:
            if user is None:
                failure_record(username)
            else:
                failures_clear(username)
        return user

    def get_user(self, user_id):
        """The session's user with its membership and organisation, in one query."""
        from django.contrib.auth import get_user_model

        user = (
            get_user_model()
            ._default_manager.select_related("membership__organisation")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
