"""Limits on guessing passwords: attempts per client address (the API's auth
endpoints) and failed sign-ins per account and per address (API and admin)."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from shop.accounts.models import User
from shop.accounts.services import AccountError, normalize_email
from shop.core.clients import client_address

logger = logging.getLogger(__name__)

# The same words whether the account exists or not.
SIGN_IN_LOCKED_MESSAGE = "Too many failed sign-ins. Try again later."


class AuthAttemptsThrottle(SimpleRateThrottle):
    """Sign-in, sign-up and password attempts (POSTs) per client address, at
    settings.AUTH_THROTTLE_RATE (None: unlimited); slows password guessing."""

    scope = "auth"

    def get_rate(self):
        return settings.AUTH_THROTTLE_RATE

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": client_address(request),
        }


class SignInLocked(Exception):
    """Too many failed sign-ins for this account or from this address."""


def _failure_counters(request, email: str) -> list[tuple[str, int]]:
    # Counted for the email as typed (normalised), existing or not: a lockout
    # must not tell who has an account.
    account = hashlib.sha256(normalize_email(email).encode()).hexdigest()
    limits = settings.SIGN_IN_FAILURE_LIMITS
    counters = [
        (f"sign-in-failures:account:{account}", limits["account"]),
        (f"sign-in-failures:address:{client_address(request)}", limits["address"]),
    ]
    return [(key, limit) for key, limit in counters if limit]


def check_sign_in_allowed(request, email: str) -> None:
    """Raises SignInLocked when the account or the address is locked out; checked
    before the password, so the right one does not help during a lockout."""
    counters = _failure_counters(request, email)
    counts = cache.get_many([key for key, _ in counters])
    for key, limit in counters:
        if counts.get(key, 0) >= limit:
            logger.warning("Sign-in refused from %s: %s", client_address(request), key)
            raise SignInLocked


def record_failed_sign_in(request, email: str) -> None:
    window = settings.SIGN_IN_FAILURE_WINDOW_SECONDS
    for key, _ in _failure_counters(request, email):
        # The window starts at the first failure and is not extended by later ones.
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)


def authenticate_within_limits(request, email: str, password: str) -> User:
    """The user with this email and password, under the failed sign-in limits
    (the API and the storefront sign in through it). Raises SignInLocked during
    a lockout, AccountError ``invalid_credentials`` for a wrong pair."""
    check_sign_in_allowed(request, email)
    # Emails are matched without regard to case, as at registration.
    stored = (
        User.objects.filter(email__iexact=email).values_list("email", flat=True).first()
    )
    # Unknown emails still go through authenticate(): it spends the same hashing
    # time, so the answer's timing does not tell who has an account.
    user = authenticate(request, email=stored or email, password=password)
    if not user:
        record_failed_sign_in(request, email)
        raise AccountError("invalid_credentials", "Wrong email or password.")
    return user
