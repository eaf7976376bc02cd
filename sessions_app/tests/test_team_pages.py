"""The pages of a school's session: starting it in a school, the Team card, what an observer's
control page shows."""

import re

import pytest
from django.urls import reverse

from sessions_app.models import Session, SessionMember
from shiller.tests.factory import make_faculty


@pytest.fixture
def faculty(db):
    return make_faculty()


def test_a_session_starts_in_one_of_my_schools_only(client, faculty):
    client.force_login(faculty["owner"])
    page = client.get(reverse("sessions:new")).content.decode()
    assert "Hôpital Nord" in page and "Clinique Sud" not in page
    post = {"trainee_name": "Sam", "duration_minutes": "60", "school": faculty["school_b"].pk}
    refused = client.post(reverse("sessions:new"), post)
    assert "Choose one of your schools." in refused.content.decode()
    assert Session.objects.filter(trainee_name="Sam").count() == 0
    client.post(reverse("sessions:new"), {**post, "school": faculty["school"].pk})
    assert Session.objects.get(trainee_name="Sam").school == faculty["school"]


def test_a_trainer_without_a_school_is_not_asked(client, alice):
    client.force_login(alice)
    page = client.get(reverse("sessions:new")).content.decode()
    assert 'name="school"' not in page
    client.post(reverse("sessions:new"), {"trainee_name": "Sam", "duration_minutes": "60"})
    assert Session.objects.get().school is None


def test_the_owner_adds_changes_and_removes_colleagues_on_the_team_card(client, faculty):
    session = faculty["session"]
    client.force_login(faculty["owner"])
    page = client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    team = page[page.index('id="team"'):]
    assert "Carole Petit" in team and "co-trainer" in team and "Cédric Moreau" in team
    assert "Xavier Noir" not in team  # another school's
    add = reverse("sessions:action", args=[session.pk, "add_member"])
    client.post(add, {"trainer": faculty["colleague"].pk, "role": "observer"})
    client.post(add, {"trainer": faculty["cotrainer"].pk, "role": "observer"})
    roles = dict(session.members.values_list("trainer__name", "role"))
    assert roles == {"Carole Petit": "observer", "Olivier Roux": "observer", "Cédric Moreau": "observer"}
    refused = client.post(add, {"trainer": faculty["other_school"].pk, "role": "cotrainer"})
    assert "Choose a colleague of this session&#x27;s school." in refused.content.decode()
    member = session.members.get(trainer=faculty["colleague"])
    client.post(reverse("sessions:action", args=[session.pk, "remove_member"]), {"member": member.pk})
    assert not SessionMember.objects.filter(pk=member.pk).exists()


def test_an_observers_page_shows_everything_with_the_controls_disabled(client, faculty):
    client.force_login(faculty["observer"])
    page = client.get(reverse("sessions:control", args=[faculty["session"].pk])).content.decode()
    assert "You are on this session as observer" in page
    drives = re.findall(r'<fieldset class="drive"( disabled)?>', page)
    assert drives and all(drives)
    assert 'id="note-form"' in page  # outside the fieldsets: observers write notes
    notes = page[page.index('id="notes"'):page.index('id="team"')]
    assert "<fieldset" not in notes
    assert 'action="/sessions/' in page and "add_member" not in page  # no Team form


def test_a_drivers_page_has_its_controls_enabled(client, faculty):
    client.force_login(faculty["cotrainer"])
    page = client.get(reverse("sessions:control", args=[faculty["session"].pk])).content.decode()
    assert "You are on this session as" not in page
    assert re.findall(r'<fieldset class="drive"( disabled)?>', page) == [""] * 6


def test_a_former_member_cannot_start_a_session_in_the_school_through_a_template(client, faculty):
    from library.models import SessionTemplate
    from schools.models import Membership

    template = SessionTemplate.objects.create(trainer=faculty["owner"], name="Drill", school=faculty["school"])
    Membership.objects.filter(trainer=faculty["owner"]).delete()
    client.force_login(faculty["owner"])
    client.post(reverse("sessions:new"), {"trainee_name": "Sam", "duration_minutes": "60", "template": template.pk})
    assert Session.objects.get(trainee_name="Sam").school is None
    page = client.get(reverse("sessions:control", args=[faculty["session"].pk])).content.decode()
    assert "colleague@example.org" not in page  # no list of the school's members any more
