import pytest
from django.urls import reverse

from conftest import PASSWORD
from trainers.models import Trainer

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
