import datetime
from functools import partial

import pytest
import time_machine
from django.urls import reverse

from shiller.tests.factory import PASSWORD
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


def login(client, email="alice@example.org", password="x", address="10.0.0.1", url=None):
    data = {"username": email, "password": password}
    return client.post(url or reverse("login"), data, REMOTE_ADDR=address)


# Frozen: the throttle counts in fixed windows, which must not turn over mid-test.
@time_machine.travel(START, tick=False)
def test_a_right_password_gets_in_after_failures_from_other_addresses(client, alice):
    for attempt in range(10):
        assert login(client, address=f"10.0.0.{attempt}").status_code == 200
    r = login(client, email="ALICE@example.org", password=PASSWORD, address="10.0.1.1")
    assert r.status_code == 302
    assert "_auth_user_id" in client.session


@time_machine.travel(START, tick=False)
def test_the_eleventh_wrong_password_for_one_email_from_one_address_is_refused(client, alice, bob):
    for _ in range(10):
        assert login(client).status_code == 200
    r = login(client, password=PASSWORD)
    assert r.status_code == 429
    assert "Too many attempts, try again in 1 minute." in r.content.decode()
    assert "_auth_user_id" not in client.session
    # The address itself has room left: another trainer behind it still gets in.
    assert login(client, email="bob@example.org", password=PASSWORD).status_code == 302


@time_machine.travel(START, tick=False)
def test_failed_logins_are_throttled_per_address(client, alice, bob, settings):
    limit = settings.LOGIN_ADDRESS_RATES[0][0]
    for attempt in range(limit):
        assert login(client, email=f"nobody{attempt}@x.org").status_code == 200
    assert login(client, email="bob@example.org", password=PASSWORD).status_code == 429
    r = login(client, email="bob@example.org", password=PASSWORD, address="10.0.0.2")
    assert r.status_code == 302


@time_machine.travel(START, tick=False)
def test_successful_logins_do_not_count(client, alice):
    for _ in range(12):
        r = client.post(reverse("login"), {"username": "alice@example.org", "password": PASSWORD})
        assert r.status_code == 302
        client.logout()


@pytest.fixture
def staff(db):
    return Trainer.objects.create_superuser(email="audit@example.org", password=PASSWORD)


def test_staff_log_in_through_the_admin_login(client, staff):
    assert client.get(reverse("admin:login")).status_code == 200
    r = login(client, email="audit@example.org", password=PASSWORD, url=reverse("admin:login"))
    assert r.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@time_machine.travel(START, tick=False)
def test_the_admin_login_is_throttled_too(client, staff):
    admin_login = partial(login, client, email="audit@example.org", url=reverse("admin:login"))
    for _ in range(10):
        assert admin_login().status_code == 200
    r = admin_login(password=PASSWORD)
    assert r.status_code == 429
    assert "Too many attempts" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert admin_login(password=PASSWORD, address="10.0.0.2").status_code == 302
