import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from schools import services
from schools.models import Invitation, Membership
from shiller.tests.factory import PASSWORD
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(school, alice):
    """An invitation for bob as a trainer of alice's school, and its token."""
    return services.invite(school, alice, "bob@example.org", Membership.TRAINER)


def link(token):
    return reverse("schools:invitation", args=[token])


def test_it_shows_who_invites_to_what(client, invitation):
    _invitation, token = invitation
    r = client.get(link(token))
    page = r.content.decode()
    assert r.status_code == 200
    assert "Join Hôpital Nord" in page
    assert "alice@example.org invites you as trainer." in page
    assert f'href="{reverse("login")}?next={link(token)}"' in page
    assert f'href="{reverse("signup")}?invitation={token}"' in page
    assert "Accept" not in page.replace("to accept", "")


def test_a_logged_in_trainer_accepts(bob_client, bob, invitation, school):
    invitation, token = invitation
    r = bob_client.get(link(token))
    assert "Accept" in r.content.decode()
    assert "This invitation was sent to" not in r.content.decode()
    r = bob_client.post(link(token), follow=True)
    assert r.redirect_chain[-1][0] == reverse("schools:detail", args=[school.pk])
    assert "Welcome to Hôpital Nord." in r.content.decode()
    assert school.memberships.get(trainer=bob).role == Membership.TRAINER
    invitation.refresh_from_db()
    assert invitation.accepted_by == bob
    assert invitation.accepted_at is not None


def test_it_says_which_email_it_was_for(client, carol, invitation, school):
    _invitation, token = invitation
    client.force_login(carol)
    r = client.get(link(token))
    assert (
        "This invitation was sent to bob@example.org; you are logged in as carol@example.org."
        in r.content.decode()
    )
    client.post(link(token))
    assert school.memberships.filter(trainer=carol).exists()


def test_accepting_asks_to_log_in_first(client, invitation):
    _invitation, token = invitation
    r = client.post(link(token))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()


def test_logging_in_comes_back_to_the_invitation(client, bob, invitation):
    _invitation, token = invitation
    data = {"username": "bob@example.org", "password": PASSWORD, "next": link(token)}
    r = client.post(reverse("login"), data)
    assert r.status_code == 302
    assert r.url == link(token)


def test_a_link_works_once(bob_client, carol, invitation, client):
    _invitation, token = invitation
    bob_client.post(link(token))
    r = bob_client.get(link(token))
    assert r.status_code == 410
    assert "This invitation has already been used." in r.content.decode()
    with pytest.raises(services.InvitationError, match="already been used"):
        services.accept(token, carol)
    assert not Membership.objects.filter(trainer=carol).exists()


def test_an_expired_link_is_gone(bob_client, bob, invitation):
    invitation, token = invitation
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    r = bob_client.get(link(token))
    assert r.status_code == 410
    assert "This invitation has expired." in r.content.decode()
    assert "Ask an admin of Hôpital Nord to send you a new one." in r.content.decode()
    assert bob_client.post(link(token)).status_code == 410
    assert not Membership.objects.filter(trainer=bob).exists()


def test_a_link_expires_after_seven_days(school, alice, bob):
    _invitation, token = services.invite(school, alice, "bob@example.org", "trainer")
    later = timezone.now() + Invitation.VALID_FOR + datetime.timedelta(seconds=1)
    with pytest.raises(services.InvitationError, match="expired"):
        services.accept(token, bob, now=later)


def test_a_withdrawn_link_is_gone(bob_client, bob, invitation):
    invitation, token = invitation
    services.withdraw(invitation)
    r = bob_client.post(link(token))
    assert r.status_code == 410
    assert "This invitation was withdrawn." in r.content.decode()
    assert not Membership.objects.filter(trainer=bob).exists()


def test_an_unknown_link_tells_nothing(bob_client, invitation):
    r = bob_client.get(link("x" * 43))
    page = r.content.decode()
    assert r.status_code == 404
    assert "This invitation link is not valid." in page
    assert "Hôpital Nord" not in page


def test_a_member_accepting_keeps_their_role_and_spends_the_link(alice, school):
    _invitation, token = services.invite(school, alice, "x@example.org", Membership.TRAINER)
    membership = services.accept(token, alice)
    assert membership.role == Membership.ADMIN
    assert Invitation.objects.get().accepted_by == alice


def test_signing_up_from_the_link_joins_the_school(client, school, alice):
    _invitation, token = services.invite(school, alice, "dan@example.org", Membership.ADMIN)
    signup = reverse("signup") + f"?invitation={token}"
    r = client.get(signup)
    assert r.status_code == 200
    assert 'value="dan@example.org"' in r.content.decode()
    data = {
        "email": "dan@example.org",
        "name": "  Dan Leroy ",
        "password1": "violet-stethoscope-42",
        "password2": "violet-stethoscope-42",
    }
    r = client.post(signup, data, follow=True)
    assert r.redirect_chain[-1][0] == reverse("schools:detail", args=[school.pk])
    assert "Welcome to Hôpital Nord." in r.content.decode()
    dan = Trainer.objects.get(email="dan@example.org")
    assert dan.name == "Dan Leroy"
    assert dan.check_password("violet-stethoscope-42")
    assert school.memberships.get(trainer=dan).role == Membership.ADMIN
    assert client.session["_auth_user_id"] == str(dan.pk)
    assert client.get(signup).status_code == 404  # spent


def test_signup_checks_the_password(client, school, alice):
    _invitation, token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    data = {"email": "dan@example.org", "name": "", "password1": "12345678", "password2": "12345678"}
    r = client.post(reverse("signup") + f"?invitation={token}", data)
    assert r.status_code == 400
    assert "This password is too common." in r.content.decode()
    r = client.post(
        reverse("signup") + f"?invitation={token}",
        {**data, "password1": "violet-stethoscope-42", "password2": "violet-stethoscope-43"},
    )
    assert "The two password fields didn’t match." in r.content.decode()
    assert not Trainer.objects.filter(email="dan@example.org").exists()


def test_signup_refuses_an_existing_email(client, school, alice, bob):
    _invitation, token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    data = {"email": "BOB@example.org", "password1": "violet-stethoscope-42", "password2": "violet-stethoscope-42"}
    r = client.post(reverse("signup") + f"?invitation={token}", data)
    assert r.status_code == 400
    assert "An account with this email exists already" in r.content.decode()
    assert not Membership.objects.filter(trainer=bob).exists()


def test_there_is_no_signup_without_an_invitation(client, school, alice):
    assert client.get(reverse("signup")).status_code == 404
    assert client.get(reverse("signup") + "?invitation=nope").status_code == 404
    data = {"email": "eve@example.org", "password1": "violet-stethoscope-42", "password2": "violet-stethoscope-42"}
    assert client.post(reverse("signup"), data).status_code == 404
    invitation, token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    services.withdraw(invitation)
    assert client.get(reverse("signup") + f"?invitation={token}").status_code == 404
    assert not Trainer.objects.filter(email="eve@example.org").exists()


def test_signup_sends_a_logged_in_trainer_to_accept(bob_client, invitation):
    _invitation, token = invitation
    r = bob_client.get(reverse("signup") + f"?invitation={token}")
    assert r.status_code == 302
    assert r.url == link(token)
