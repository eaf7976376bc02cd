"""Guessing join codes does not pay: failed attempts per client address are limited, while a
right code always gets in (up to a ceiling no classroom reaches)."""

import asyncio
import datetime
import logging

import pytest
import redis
import time_machine
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from live.tests.ws import receive, refusal, screen
from shiller import throttle
from shiller.tests.factory import PASSWORD, make_session

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 24, 9, 0, 5, tzinfo=datetime.timezone.utc)


def guess(client, code="ZZZ999", address="10.0.0.1", **headers):
    return client.post(reverse("sessions:join"), {"code": code}, REMOTE_ADDR=address, **headers)


@time_machine.travel(START, tick=False)
def test_the_eleventh_wrong_code_in_a_minute_is_refused(client, alice):
    make_session(alice, code="ABC234", now=timezone.now())
    for _ in range(10):
        assert guess(client).status_code == 404
    r = guess(client)
    assert r.status_code == 429
    assert "Too many attempts, try again in 1 minute." in r.content.decode()
    assert r["Retry-After"] == "55"
    # A classroom shares one address: another trainee's right code is not held back.
    assert guess(client, code="ABC234").status_code == 302
    # Nor is another address.
    assert guess(client, address="10.0.0.2").status_code == 404


def test_the_minute_window_ends_and_the_daily_one_holds(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        make_session(alice, code="ABC234", minutes=48 * 60)
        for minute in range(10):
            for _ in range(10):
                guess(client)
            assert guess(client).status_code == 429
            traveller.shift(datetime.timedelta(minutes=1))
        # 100 failures today: wrong codes are refused until tomorrow, the right one gets in.
        r = guess(client)
        assert r.status_code == 429
        assert "try again in 890 minutes" in r.content.decode()
        assert guess(client, code="ABC234").status_code == 302
        traveller.move_to(START + datetime.timedelta(days=1))
        assert guess(client).status_code == 404


@time_machine.travel(START, tick=False)
def test_past_the_ceiling_even_the_right_code_waits(client, alice, settings):
    settings.JOIN_CEILING = [(20, 24 * 60 * 60)]
    make_session(alice, code="ABC234", minutes=48 * 60)
    for _ in range(10):
        assert guess(client).status_code == 404
    # Refused guesses still count toward the ceiling: a 429 tells a wrong code from a right one.
    for _ in range(10):
        assert guess(client).status_code == 429
    r = guess(client, code="ABC234")
    assert r.status_code == 429
    assert "try again in 900 minutes" in r.content.decode()
    assert guess(client, code="ABC234", address="10.0.0.2").status_code == 302


@time_machine.travel(START, tick=False)
def test_right_codes_do_not_count(client, alice):
    make_session(alice, code="ABC234")
    for _ in range(30):
        assert guess(client, code="abc234").status_code == 302


@time_machine.travel(START, tick=False)
def test_the_monitor_url_is_throttled_too(client, alice):
    make_session(alice, code="ABC234")
    for _ in range(10):
        assert client.get(reverse("sessions:monitor", args=["ZZZ999"])).status_code == 404
    assert client.get(reverse("sessions:monitor", args=["ZZZ998"])).status_code == 429
    assert client.get(reverse("sessions:monitor", args=["ABC234"])).status_code == 200


# Frozen: the windows are fixed minutes, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
@pytest.mark.django_db(transaction=True)
async def test_socket_guesses_are_throttled(alice):
    # WebsocketCommunicator connects from 127.0.0.1.
    for _ in range(10):
        assert await refusal(screen("ZZZ999")) == 4404
    assert await refusal(screen("ZZZ999")) == 4429


# Frozen: the windows are fixed minutes, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
async def test_socket_guesses_sent_at_once_count_one_by_one(alice):
    # Screens that connect together share one lookup of their code (live/connects.py).
    codes = await asyncio.gather(*(refusal(screen("ZZZ999")) for _ in range(11)))
    assert sorted(codes) == [4404] * 10 + [4429]


# Frozen: the windows are fixed minutes, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
@pytest.mark.django_db(transaction=True)
async def test_a_screen_with_the_right_code_connects_after_wrong_codes_from_its_address(alice):
    await sync_to_async(make_session)(alice, code="ABC234")
    for _ in range(11):
        await refusal(screen("ZZZ999"))
    s = screen("ABC234")
    connected, _ = await s.connect()
    assert connected
    assert (await receive(s))["type"] == "snapshot"
    await s.disconnect()


# Frozen: the windows are fixed minutes, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
@pytest.mark.django_db(transaction=True)
async def test_a_screen_past_the_ceiling_is_refused_even_with_the_right_code(alice, settings):
    settings.JOIN_CEILING = [(3, 24 * 60 * 60)]
    await sync_to_async(make_session)(alice, code="ABC234")
    for _ in range(3):
        await refusal(screen("ZZZ999"))
    assert await refusal(screen("ABC234")) == 4429


@time_machine.travel(START, tick=False)
def test_clients_behind_a_trusted_proxy_are_counted_apart(client, alice, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for attempt in range(10):
        # Whatever a client puts on the left, the proxy appends the address it saw.
        spoofed = f"192.0.2.{attempt}, 198.51.100.7"
        assert guess(client, HTTP_X_FORWARDED_FOR=spoofed).status_code == 404
    assert guess(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert guess(client, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 404
    # A second proxy of ours in the chain is skipped too.
    chain = "198.51.100.7, 10.0.0.9"
    assert guess(client, HTTP_X_FORWARDED_FOR=chain, address="10.0.0.2").status_code == 429


@time_machine.travel(START, tick=False)
def test_an_untrusted_peer_cannot_choose_its_address(client, alice, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for attempt in range(10):
        r = guess(client, address="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
        assert r.status_code == 404
    r = guess(client, address="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert r.status_code == 429


@time_machine.travel(START, tick=False)
def test_ipv6_clients_are_counted_per_64(client, alice):
    for attempt in range(10):
        assert guess(client, address=f"2001:db8:1:2::{attempt + 1:x}").status_code == 404
    assert guess(client, address="2001:db8:1:2:ffff:ffff:ffff:ffff").status_code == 429
    assert guess(client, address="2001:db8:1:3::1").status_code == 404


@pytest.mark.parametrize(
    "address, identity",
    [
        ("192.0.2.1", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_addresses_are_counted_as_clients_not_as_typed(address, identity):
    assert throttle.scope_client_address({"client": (address, 1234), "headers": []}) == identity


def test_a_socket_behind_a_trusted_proxy_is_counted_as_its_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    scope = {"client": ("10.0.0.1", 1234), "headers": [(b"x-forwarded-for", b"198.51.100.7")]}
    assert throttle.scope_client_address(scope) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    assert throttle.scope_client_address(scope) == "10.0.0.1"
    assert throttle.scope_client_address({"headers": []}) == ""


@time_machine.travel(START, tick=False)
def test_logins_and_joins_still_answer_when_the_cache_is_down(client, alice, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    for method in ("get_many", "incr", "add"):
        monkeypatch.setattr(type(caches["default"]), method, unreachable)
    make_session(alice, code="ABC234")
    with caplog.at_level(logging.WARNING, logger="shiller.throttle"):
        r = client.post(reverse("login"), {"username": "alice@example.org", "password": "x"})
        assert r.status_code == 200
        r = client.post(reverse("login"), {"username": "alice@example.org", "password": PASSWORD})
        assert r.status_code == 302
        assert guess(client).status_code == 404
        assert guess(client, code="ABC234").status_code == 302
    assert "allowing the attempt" in caplog.text


def test_retry_after_reports_the_longest_full_window():
    rates = [(1, 60), (2, 3600)]
    now = 7200.0 + 30
    assert throttle.retry_after("t", "me", rates, now=now) is None
    throttle.record_failure("t", "me", rates, now=now)
    assert throttle.retry_after("t", "me", rates, now=now) == 30
    throttle.record_failure("t", "me", rates, now=now)
    assert throttle.retry_after("t", "me", rates, now=now) == 3570
