"""Guessing join codes does not pay: failed attempts per client address are limited."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import make_session
from sessions_app.tests.ws import refusal, screen
from shiller import throttle

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 24, 9, 0, 5, tzinfo=datetime.timezone.utc)


def guess(client, code="ZZZ999", address="10.0.0.1"):
    return client.post(reverse("sessions:join"), {"code": code}, REMOTE_ADDR=address)


@time_machine.travel(START, tick=False)
def test_the_eleventh_wrong_code_in_a_minute_is_refused(client, alice):
    make_session(alice, code="ABC234", now=timezone.now())
    for _ in range(10):
        assert guess(client).status_code == 404
    r = guess(client, code="ABC234")  # even the right code waits now
    assert r.status_code == 429
    assert "Too many attempts, try again in 1 minute." in r.content.decode()
    assert r["Retry-After"] == "55"
    # Another address is not held back.
    assert guess(client, code="ABC234", address="10.0.0.2").status_code == 302


def test_the_minute_window_ends_and_the_daily_one_holds(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        make_session(alice, code="ABC234", minutes=48 * 60)
        for minute in range(10):
            for _ in range(10):
                guess(client)
            assert guess(client).status_code == 429
            traveller.shift(datetime.timedelta(minutes=1))
        # 100 failures today: the right code is refused until tomorrow.
        r = guess(client, code="ABC234")
        assert r.status_code == 429
        assert "try again in 890 minutes" in r.content.decode()
        traveller.move_to(START + datetime.timedelta(days=1))
        assert guess(client, code="ABC234").status_code == 302


@time_machine.travel(START, tick=False)
def test_right_codes_do_not_count(client, alice):
    make_session(alice, code="ABC234")
    for _ in range(30):
        assert guess(client, code="abc234").status_code == 302


@time_machine.travel(START, tick=False)
def test_the_monitor_url_is_throttled_too(client):
    for _ in range(10):
        assert client.get(reverse("sessions:monitor", args=["ZZZ999"])).status_code == 404
    assert client.get(reverse("sessions:monitor", args=["ZZZ998"])).status_code == 429


@pytest.mark.django_db(transaction=True)
async def test_socket_guesses_are_throttled(alice):
    # WebsocketCommunicator connects from 127.0.0.1.
    for _ in range(10):
        assert await refusal(screen("ZZZ999")) == 4404
    assert await refusal(screen("ZZZ999")) == 4429


def test_retry_after_reports_the_longest_full_window():
    rates = [(1, 60), (2, 3600)]
    now = 7200.0 + 30
    assert throttle.retry_after("t", "me", rates, now=now) is None
    throttle.record_failure("t", "me", rates, now=now)
    assert throttle.retry_after("t", "me", rates, now=now) == 30
    throttle.record_failure("t", "me", rates, now=now)
    assert throttle.retry_after("t", "me", rates, now=now) == 3570
