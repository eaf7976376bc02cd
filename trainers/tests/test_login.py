import datetime

import pytest
import time_machine
from django.urls import reverse

from conftest import PASSWORD
from trainers.models import Trainer

START = datetime.datetime(2026, 11, 24, 9, 0, 30, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_email_in_any_case(client, alice):
    r = client.post(reverse("login"), {"username": "  ALICE@Example.org", "password": PASSWORD})
    assert r.status_code == 302
    assert r.url == reverse("sessions:list")
    r = client.get(reverse("sessions:list"))
    assert "alice@example.org" in r.content.decode()


def test_it_refuses_a_wrong_password(client, alice):
    r = client.post(reverse("login"), {"username": "alice@example.org", "password": "nope"})
    assert r.status_code == 200
    assert "Please enter a correct email and password" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_stores_passwords_as_argon2(alice):
    assert alice.password.startswith("argon2$")


def test_emails_are_unique_whatever_their_case(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Trainer.objects.create_user(email="Alice@EXAMPLE.org", password=PASSWORD)


def test_logout_is_a_post(alice_client):
    r = alice_client.post(reverse("logout"))
    assert r.status_code == 302
    r = alice_client.get(reverse("sessions:list"))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))


# Frozen: the throttle counts in fixed windows, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
def test_failed_logins_are_throttled_per_email(client, alice):
    for attempt in range(10):
        address = f"10.0.0.{attempt}"
        r = client.post(
            reverse("login"), {"username": "alice@example.org", "password": "x"}, REMOTE_ADDR=address
        )
        assert r.status_code == 200
    # Right password, new address: the email itself is locked for now.
    r = client.post(
        reverse("login"),
        {"username": "ALICE@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.1.1",
    )
    assert r.status_code == 429
    assert "Too many attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session


@time_machine.travel(START, tick=False)
def test_failed_logins_are_throttled_per_address(client, alice, bob):
    for attempt in range(10):
        client.post(reverse("login"), {"username": f"nobody{attempt}@x.org", "password": "x"})
    r = client.post(reverse("login"), {"username": "bob@example.org", "password": PASSWORD})
    assert r.status_code == 429


@time_machine.travel(START, tick=False)
def test_successful_logins_do_not_count(client, alice):
    for _ in range(12):
        r = client.post(reverse("login"), {"username": "alice@example.org", "password": PASSWORD})
        assert r.status_code == 302
        client.logout()
