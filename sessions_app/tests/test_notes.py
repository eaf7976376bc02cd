import datetime

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from sessions_app import services
from sessions_app.models import SessionNote
from sessions_app.tests.played import T0, at
from shiller.tests.factory import make_session
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


def _post(client, session, **data):
    return client.post(reverse("sessions:note", args=[session.pk]), data)


@time_machine.travel(at(200), tick=False)
def test_a_note_from_the_control_page_is_stamped_now(alice_client, alice):
    session = make_session(alice, now=T0)
    r = _post(alice_client, session, text="Forgot to check the airway", return_to="control")
    assert r.status_code == 302
    assert r.url == reverse("sessions:control", args=[session.pk]) + "#notes"
    note = SessionNote.objects.get(session=session)
    assert (note.text, note.at) == ("Forgot to check the airway", at(200))
    body = alice_client.get(r.url).content.decode()
    assert "Note saved." in body and "Forgot to check the airway" in body


def test_the_control_page_has_the_note_form(alice_client, alice_session):
    body = alice_client.get(reverse("sessions:control", args=[alice_session.pk])).content.decode()
    assert 'id="notes"' in body
    assert f'action="{reverse("sessions:note", args=[alice_session.pk])}"' in body
    assert 'name="text"' in body


def test_an_empty_note_is_refused_with_a_message(alice_client, alice_session):
    r = _post(alice_client, alice_session, text="   ", return_to="control")
    assert r.status_code == 400
    assert "Write something first: an empty note is not stored." in r.content.decode()
    assert not SessionNote.objects.exists()


def test_an_empty_note_is_refused_on_the_debrief_too(alice_client, played):
    r = _post(alice_client, played, text="", offset="01:00", return_to="debrief")
    assert r.status_code == 400
    body = r.content.decode()
    assert "Write something first" in body and 'id="debrief-plot"' in body
    assert not SessionNote.objects.exists()


def test_after_a_refused_note_the_language_switcher_returns_to_the_debrief(alice_client, played):
    debrief_url = reverse("sessions:debrief", args=[played.pk])
    r = alice_client.post(
        reverse("sessions:note", args=[played.pk]),
        {"text": "Later", "offset": "12:00", "return_to": "debrief"},
        HTTP_REFERER=f"http://testserver{debrief_url}",
    )
    assert r.status_code == 400
    assert f'name="next" value="http://testserver{debrief_url}"' in r.content.decode()
    switched = alice_client.post(
        reverse("set_language"), {"language": "fr", "next": f"http://testserver{debrief_url}"}
    )
    assert switched["Location"] == f"http://testserver{debrief_url}"  # not the notes' address
    assert alice_client.get(switched["Location"]).status_code == 200


def test_a_note_on_the_debrief_goes_at_the_chosen_moment(alice_client, played):
    r = _post(alice_client, played, text="Good call", offset="04:30", return_to="debrief")
    assert r.url == reverse("sessions:debrief", args=[played.pk]) + "#notes"
    assert SessionNote.objects.get().at == T0 + datetime.timedelta(minutes=4, seconds=30)
    body = alice_client.get(r.url).content.decode()
    assert "Good call" in body and "04:30" in body


def test_a_closed_session_still_takes_notes_at_its_end(alice_client, played):
    assert not played.is_open()
    r = _post(alice_client, played, text="Debrief: team worked well", return_to="debrief")
    assert r.status_code == 302
    assert SessionNote.objects.get().at == at(600)


def test_a_moment_outside_the_session_is_refused(alice_client, played):
    r = _post(alice_client, played, text="Later", offset="12:00", return_to="debrief")
    assert r.status_code == 400
    assert "The session lasted 10:00: choose a time within it." in r.content.decode()
    for offset in ("4m30", "1:²³", "4:60"):
        r = _post(alice_client, played, text="Later", offset=offset, return_to="debrief")
        assert r.status_code == 400
        assert "Give the time as minutes:seconds" in r.content.decode()
    assert not SessionNote.objects.exists()


def test_another_trainer_cannot_add_a_note(bob_client, played):
    r = _post(bob_client, played, text="Mine now", return_to="debrief")
    assert r.status_code == 404
    assert not SessionNote.objects.exists()


def test_notes_only_take_posts(alice_client, played):
    assert alice_client.get(reverse("sessions:note", args=[played.pk])).status_code == 405


def test_notes_are_read_only_in_the_admin(client, played):

    note = services.add_note(played, "Audit me", at=at(100))
    assert admin.site.is_registered(SessionNote)
    client.force_login(
        Trainer.objects.create_superuser(email="audit@example.org", password="x" * 12)
    )
    r = client.get(reverse("admin:sessions_app_sessionnote_changelist"), {"q": "ABC234"})
    assert r.status_code == 200 and "Audit me" in r.content.decode()
    assert client.get(reverse("admin:sessions_app_sessionnote_add")).status_code == 403
    r = client.post(reverse("admin:sessions_app_sessionnote_delete", args=[note.pk]))
    assert r.status_code == 403
