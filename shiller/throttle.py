"""Attempt throttling with fixed windows counted in Django's cache (Redis when REDIS_URL is set).

A scope ("join", "login-email", ...) and an identity (a client address, an email) have a counter
per window; once any window is full, further attempts are refused until that window ends.
Callers record only the attempts that failed, so a trainee who types the right code is never
held back by their own reconnects.
"""

import hashlib
import math
import time

from django.core.cache import cache
from django.shortcuts import render

Rates = list[tuple[int, int]]


def _keys(scope: str, identity: str, rates: Rates, now: float) -> list[tuple[str, int, int]]:
    # Hash the identity: cache keys must be short and free of spaces, whatever an email holds.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    keys = []
    for limit, seconds in rates:
        window = int(now // seconds)
        ends_in = seconds - int(now % seconds)
        keys.append((f"throttle:{scope}:{seconds}:{window}:{digest}", limit, ends_in))
    return keys


def retry_after(scope: str, identity: str, rates: Rates, now: float | None = None) -> int | None:
    """Seconds until the next attempt is allowed, or None when it is allowed now."""
    keys = _keys(scope, identity, rates, now or time.time())
    counts = cache.get_many([key for key, _limit, _ends in keys])
    waits = [ends for key, limit, ends in keys if counts.get(key, 0) >= limit]
    return max(waits) if waits else None


def record_failure(scope: str, identity: str, rates: Rates, now: float | None = None) -> None:
    for key, _limit, ends_in in _keys(scope, identity, rates, now or time.time()):
        # add() creates the counter with its expiry; incr() is atomic in Redis and locmem.
        cache.add(key, 0, ends_in + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ends_in + 1)


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def too_many_attempts(request, wait_seconds: int):
    response = render(request, "throttled.html", {"minutes": minutes(wait_seconds)}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response
