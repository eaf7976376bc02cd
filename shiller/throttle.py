"""Attempt throttling with fixed windows counted in Django's cache (Redis when REDIS_URL is set).

A scope ("join", "login-address", ...) and an identity (a client address, ...) have a counter
per window; once any window is full, further attempts are refused until that window ends.
Callers record only the attempts that failed, so a trainee who types the right code is never
held back by their own reconnects.

With the cache unreachable the throttle fails open: the attempt is allowed and a warning logged,
since refusing every login and every screen would be worse than a few unthrottled guesses.
"""

import functools
import hashlib
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from shiller.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)

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
    try:
        counts = cache.get_many([key for key, _limit, _ends in keys])
    except CACHE_ERRORS:
        logger.warning("Throttle cache unreachable, allowing the attempt", exc_info=True)
        return None
    waits = [ends for key, limit, ends in keys if counts.get(key, 0) >= limit]
    return max(waits) if waits else None


def record_failure(scope: str, identity: str, rates: Rates, now: float | None = None) -> None:
    try:
        for key, _limit, ends_in in _keys(scope, identity, rates, now or time.time()):
            # add() creates the counter with its expiry; incr() is atomic in Redis and locmem.
            cache.add(key, 0, ends_in + 1)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, ends_in + 1)
    except CACHE_ERRORS:
        logger.warning("Throttle cache unreachable, failure not counted", exc_info=True)


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def client_address(request) -> str:
    """Who an HTTP request counts against (see _client)."""
    meta = request.META
    return _client(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))


def scope_client_address(scope: dict) -> str:
    """Who a websocket's ASGI scope counts against (see _client)."""
    peer = (scope.get("client") or ("",))[0] or ""
    hops = [value for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"]
    forwarded = b",".join(hops).decode("latin-1")
    return _client(peer, forwarded)


def _client(peer: str, forwarded: str) -> str:
    """The client's address, normalised for counting.

    X-Forwarded-For is believed only from a peer in settings.TRUSTED_PROXIES, and then only its
    right-most entry that is not one of those proxies: the entries to its left are whatever the
    client sent, so a client could otherwise pick a fresh address for every guess.
    """
    address = peer
    if forwarded and _is_trusted(peer):
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        untrusted = [hop for hop in hops if not _is_trusted(hop)]
        # All hops ours: the left-most is the furthest back we know.
        address = untrusted[-1] if untrusted else hops[0] if hops else peer
    return _identity(address)


def _identity(address: str) -> str:
    """IPv4 as is (IPv4-mapped IPv6 too); IPv6 per /64, the block one household or host gets,
    so that rotating through it does not buy new windows. Anything else stays as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@functools.cache
def _networks(proxies: tuple[str, ...]) -> list:
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def too_many_attempts(request, wait_seconds: int):
    response = render(request, "throttled.html", {"minutes": minutes(wait_seconds)}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response
