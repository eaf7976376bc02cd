import re
import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from schools import services
from schools.models import Invitation, Membership, hash_token

pytestmark = pytest.mark.django_db


def invite(client, school, email="dan@example.org", role="trainer"):
    return client.post(reverse("schools:invite", args=[school.pk]), {"email": email, "role": role})


def test_an_admin_invites_by_email_and_sees_the_link_once(alice_client, school):
    r = invite(alice_client, school, email="Dan@Example.org", role="admin")
    assert r.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("dan@example.org", Membership.ADMIN)
    [email] = mail.outbox
    assert email.to == ["dan@example.org"]
    assert email.subject == "Join Hôpital Nord on Shiller"
    assert "alice@example.org invites you to join Hôpital Nord on Shiller, as school admin." in email.body
    link = re.search(r"http://testserver/invitations/[\w-]+/", email.body).group()
    token = link.split("/")[-2]
    assert invitation.token_hash == hash_token(token)

    page = alice_client.get(r.url).content.decode()
    assert "Invitation sent to dan@example.org." in page
    assert "Copy this link" in page
    assert f'value="{link}"' in page
    # Shown once: the database has only its digest.
    page = alice_client.get(r.url).content.decode()
    assert "Copy this link" not in page
    assert token not in page
    assert "dan@example.org" in page  # among the pending invitations


def test_an_email_that_fails_still_leaves_the_link(alice_client, school, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("schools.services.send_mail", refuse)
    r = invite(alice_client, school)
    page = alice_client.get(r.url).content.decode()
    assert "The email to dan@example.org could not be sent" in page
    assert "Copy this link" in page
    assert Invitation.objects.get().is_pending()


def test_the_link_uses_site_url_when_set(alice_client, school, settings):
    settings.SITE_URL = "https://sim.example.org"
    invite(alice_client, school)
    assert "https://sim.example.org/invitations/" in mail.outbox[0].body


def test_tokens_cannot_be_guessed(school, alice):
    _invitation, token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    assert len(token) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(token_hash=hash_token(token)).exists()


def test_it_refuses_to_invite_a_member(alice_client, school, bob_member):
    r = invite(alice_client, school, email="BOB@example.org")
    assert r.status_code == 400
    assert "bob@example.org is already a member of this school." in r.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_it_refuses_a_bad_email(alice_client, school):
    r = invite(alice_client, school, email="not an email")
    assert r.status_code == 400
    assert "Enter a valid email address." in r.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_pending_one(alice_client, school):
    invite(alice_client, school)
    invite(alice_client, school, role="admin")
    old, new = Invitation.objects.order_by("created_at")
    assert old.revoked_at is not None
    assert new.is_pending()
    page = alice_client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert page.count("<td>dan@example.org</td>") == 1


def test_an_admin_withdraws_an_invitation(alice_client, school, alice):
    invitation, token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    r = alice_client.post(
        reverse("schools:withdraw", args=[school.pk, invitation.pk]), follow=True
    )
    assert "Invitation to dan@example.org withdrawn." in r.content.decode()
    assert "No pending invitations." in r.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_does_not_withdraw_another_schools_invitation(alice_client, bob, school):
    other = services.create_school(bob, "Clinique Sud")
    invitation, _token = services.invite(other, bob, "dan@example.org", Membership.TRAINER)
    r = alice_client.post(reverse("schools:withdraw", args=[school.pk, invitation.pk]))
    assert r.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
