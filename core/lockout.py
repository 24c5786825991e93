"""Lockout after repeated failed logins, for the token endpoint, the login page and the admin.

Failures are counted in the cache (shared by every web process when `CACHE_URL` points at
Redis), twice: per username and client address, and per username across all addresses.
LOGIN_FAILURES_BEFORE_LOCKOUT failures from one address lock that address out of the account
for LOGIN_LOCKOUT_SECONDS, right password or not; the account's owner logs in from elsewhere.
LOGIN_FAILURES_PER_ACCOUNT failures from all addresses together lock the account for everyone
(someone guessing from many addresses). A success clears the counters of its address.

The client address is the one the throttles use (DRF's, with NUM_PROXIES from
TRUSTED_PROXIES): a forged X-Forwarded-For changes nothing unless a trusted proxy wrote it.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest | None) -> str:
    """The caller's address as the throttles see it (REMOTE_ADDR behind no trusted proxy)."""
    if request is None:
        return ""
    # get_ident reads request.META only, which a plain Django request has as well.
    return BaseThrottle().get_ident(request) or ""  # type: ignore[arg-type]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _keys(username: str, address: str) -> tuple[str, str]:
    name = username.strip().lower()
    return f"login-failures:{_digest(name)}", f"login-failures:{_digest(name, address)}"


def is_locked(username: str, address: str) -> bool:
    account, pair = _keys(username, address)
    counts = cache.get_many([account, pair])  # one round trip to Redis on every login
    return (
        counts.get(pair, 0) >= settings.LOGIN_FAILURES_BEFORE_LOCKOUT
        or counts.get(account, 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT
    )


def _count(key: str) -> None:
    if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def failure_record(username: str, address: str) -> None:
    for key in _keys(username, address):
        _count(key)


def failures_clear(username: str, address: str) -> None:
    """A success from this address: its failures are forgotten."""
    cache.delete(_keys(username, address)[1])


def account_unlock(username: str) -> None:
    """The account's own counter goes (a password reset proves who is asking); the counters
    of the addresses that guessed expire by themselves."""
    cache.delete(_keys(username, "")[0])


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing a locked username before checking its password and
    counting each wrong password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        address = client_address(request)
        if username and is_locked(username, address):
            raise PermissionDenied  # authenticate() stops here and returns None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username:
            if user is None:
                failure_record(username, address)
            else:
                failures_clear(username, address)
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
