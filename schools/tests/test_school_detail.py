import pytest
from django.urls import reverse

from schools import services
from schools.models import Membership
from sessions_app.models import SessionMember
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db


def url(name, school, *args):
    return reverse(f"schools:{name}", args=[school.pk, *args])


def test_it_lists_the_members(alice_client, alice, school, bob_member, bob):
    alice.name = "Dr Alice Martin"
    alice.save()
    r = alice_client.get(url("detail", school))
    page = r.content.decode()
    assert r.status_code == 200
    assert "Dr Alice Martin" in page
    assert "bob@example.org" in page
    assert "Your role: school admin." in page


def test_a_trainer_sees_members_but_no_admin_forms(bob_client, school, bob_member):
    r = bob_client.get(url("detail", school))
    page = r.content.decode()
    assert "alice@example.org" in page
    assert "Leave school" in page
    assert "Invite a colleague" not in page
    assert "Change role" not in page


def test_a_school_i_am_not_in_is_not_found(bob_client, school):
    assert bob_client.get(url("detail", school)).status_code == 404


def test_an_admin_of_another_school_finds_nothing(bob_client, bob, school):
    services.create_school(bob, "Clinique Sud")
    assert bob_client.get(url("detail", school)).status_code == 404
    assert bob_client.post(url("invite", school), {"email": "x@example.org"}).status_code == 404
    alice_membership = school.memberships.get()
    r = bob_client.post(url("role", school, alice_membership.pk), {f"m{alice_membership.pk}-role": "trainer"})
    assert r.status_code == 404
    assert bob_client.post(url("remove", school, alice_membership.pk)).status_code == 404
    assert alice_membership.role == Membership.ADMIN


def test_a_trainer_cannot_use_admin_actions(bob_client, alice, school, bob_member):
    alice_membership = school.memberships.get(trainer=alice)
    invitation, _token = services.invite(school, alice, "dan@example.org", Membership.TRAINER)
    assert bob_client.post(url("invite", school), {"email": "x@example.org"}).status_code == 404
    r = bob_client.post(url("role", school, bob_member.pk), {f"m{bob_member.pk}-role": "admin"})
    assert r.status_code == 404
    assert bob_client.post(url("remove", school, alice_membership.pk)).status_code == 404
    assert bob_client.post(url("withdraw", school, invitation.pk)).status_code == 404
    bob_member.refresh_from_db()
    invitation.refresh_from_db()
    assert bob_member.role == Membership.TRAINER
    assert invitation.revoked_at is None
    assert school.memberships.count() == 2


def test_admin_actions_are_posts(alice_client, school, bob_member):
    assert alice_client.get(url("remove", school, bob_member.pk)).status_code == 405
    assert alice_client.get(url("leave", school)).status_code == 405


def test_an_admin_makes_a_trainer_admin(alice_client, school, bob_member):
    r = alice_client.post(url("role", school, bob_member.pk), {f"m{bob_member.pk}-role": "admin"}, follow=True)
    bob_member.refresh_from_db()
    assert bob_member.role == Membership.ADMIN
    assert "bob@example.org is now school admin." in r.content.decode()


def test_it_refuses_an_unknown_role(alice_client, school, bob_member):
    r = alice_client.post(url("role", school, bob_member.pk), {f"m{bob_member.pk}-role": "owner"}, follow=True)
    bob_member.refresh_from_db()
    assert bob_member.role == Membership.TRAINER
    assert "Choose a role: school admin or trainer." in r.content.decode()


def test_it_keeps_the_last_admin(alice_client, alice, school, bob_member):
    mine = school.memberships.get(trainer=alice)
    r = alice_client.post(url("role", school, mine.pk), {f"m{mine.pk}-role": "trainer"}, follow=True)
    assert "A school needs at least one admin" in r.content.decode()
    r = alice_client.post(url("remove", school, mine.pk), follow=True)
    assert "A school needs at least one admin" in r.content.decode()
    r = alice_client.post(url("leave", school), follow=True)
    assert "A school needs at least one admin" in r.content.decode()
    mine.refresh_from_db()
    assert mine.role == Membership.ADMIN


def test_an_admin_steps_down_when_another_admin_remains(alice_client, alice, school, bob_member):
    services.change_role(bob_member, Membership.ADMIN)
    mine = school.memberships.get(trainer=alice)
    alice_client.post(url("role", school, mine.pk), {f"m{mine.pk}-role": "trainer"})
    mine.refresh_from_db()
    assert mine.role == Membership.TRAINER
    # Now a trainer: the admin's actions are gone.
    assert alice_client.post(url("remove", school, bob_member.pk)).status_code == 404


def test_an_admin_removes_themselves_when_another_admin_remains(alice_client, alice, school, bob_member):
    services.change_role(bob_member, Membership.ADMIN)
    mine = school.memberships.get(trainer=alice)
    r = alice_client.post(url("remove", school, mine.pk))
    assert r.status_code == 302
    assert r.url == reverse("schools:list")
    assert not school.memberships.filter(trainer=alice).exists()


def test_a_trainer_leaves(bob_client, bob, school, bob_member):
    r = bob_client.post(url("leave", school), follow=True)
    assert r.redirect_chain[-1][0] == reverse("schools:list")
    assert "You left Hôpital Nord." in r.content.decode()
    assert not school.memberships.filter(trainer=bob).exists()
    assert bob_client.get(url("detail", school)).status_code == 404


def test_removing_a_member_takes_them_off_the_schools_session_teams(
    alice_client, alice, bob, school, bob_member, monkeypatch
):
    reported = []
    monkeypatch.setattr(
        services.session_services, "report_access_changed", lambda s: reported.append(list(s))
    )
    in_school = make_session(alice, school=school)
    own = make_session(alice, code="XYZ789")
    SessionMember.objects.create(session=in_school, trainer=bob, role=SessionMember.COTRAINER)
    SessionMember.objects.create(session=own, trainer=bob, role=SessionMember.OBSERVER)
    r = alice_client.post(url("remove", school, bob_member.pk), follow=True)
    assert "bob@example.org was removed from the school." in r.content.decode()
    assert list(SessionMember.objects.values_list("session", flat=True)) == [own.pk]
    assert reported == [[in_school]]


def test_leaving_tells_the_open_control_pages_after_commit(
    bob, alice, school, bob_member, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "sessions_app.services.broadcast", lambda pk, message, ended=False: sent.append((pk, message))
    )
    session = make_session(alice, school=school)
    SessionMember.objects.create(session=session, trainer=bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(bob_member)
    assert sent == [(session.pk, {"type": "access_changed"})]
    assert not SessionMember.objects.exists()


def test_a_role_change_tells_the_open_control_pages(school, bob_member, monkeypatch):
    reported = []
    monkeypatch.setattr(
        services.session_services, "report_access_changed", lambda s: reported.append(s)
    )
    services.change_role(bob_member, Membership.ADMIN)
    assert len(reported) == 1


def test_the_page_has_its_strings_marked_for_translation(alice_client, school):
    # French is filled in later (locale/); this only renders the page in French.
    r = alice_client.get(url("detail", school), HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 200
    assert '<html lang="fr">' in r.content.decode()
