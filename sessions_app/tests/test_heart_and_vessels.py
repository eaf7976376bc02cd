"""Issue 15 on the control page and the sockets: an arterial line and a CVP sent from the form,
the patient's profile (new session, template, control page), and the 12-lead."""

import csv
import io

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from library import services as library
from library.models import SessionTemplate
from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app import debrief
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import AT_REST, VALID_POST, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db

INVASIVE_POST = {
    **VALID_POST,
    "abp_systolic": "92",
    "abp_diastolic": "48",
    "cvp": "14",
    "abp_damping": "over",
    "ecg_lead2": "V2",
    "pulsus_paradoxus": "on",
    "artefacts": ["movement", "mains"],
}


def post_action(client, session, name, data=None):
    return client.post(reverse("sessions:action", args=[session.pk, name]), data or {}, follow=True)


def test_the_form_sends_an_arterial_line_and_a_cvp(alice_client, alice_session):
    r = post_action(alice_client, alice_session, "set_vitals", INVASIVE_POST)
    assert "Values sent to the monitors." in r.content.decode()
    alice_session.refresh_from_db()
    values = alice_session.last_values
    assert (values["abp_systolic"], values["abp_diastolic"], values["cvp"]) == (92, 48, 14)
    assert values["flags"]["abp_damping"] == "over"
    assert values["flags"]["ecg_lead2"] == "V2"
    assert values["flags"]["pulsus_paradoxus"] is True
    assert values["flags"]["artefacts"] == ["movement", "mains"]
    event = SessionEvent.objects.get()
    assert (event.abp_systolic, event.abp_diastolic, event.cvp) == (92, 48, 14)


def test_the_event_row_and_the_summary_show_the_lines(alice_client, alice_session):
    r = post_action(alice_client, alice_session, "set_vitals", INVASIVE_POST)
    body = r.content.decode()
    assert "<td>ABP 92/48 (63) · CVP 14</td>" in body
    assert "ABP 92/48 (63) · CVP 14 · " in body  # the current values' summary


def test_a_refused_line_stores_nothing_and_says_why(alice_client, alice_session):
    r = post_action(alice_client, alice_session, "set_vitals", {**INVASIVE_POST, "abp_diastolic": ""})
    assert r.status_code == 400
    assert "An arterial line needs both its systolic and its diastolic, or neither." in r.content.decode()
    assert not SessionEvent.objects.exists()


def test_ectopy_for_a_rhythm_without_ectopic_beats_is_refused_in_french(alice_client, alice_session):
    r = alice_client.post(
        reverse("sessions:action", args=[alice_session.pk, "set_vitals"]),
        {**VALID_POST, "rhythm": "sinus", "ectopy_every": "4"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert r.status_code == 400
    assert "Rythme sinusal n&#x27;a pas d&#x27;extrasystoles à espacer" in r.content.decode()


def test_the_rhythm_select_is_grouped(alice_client, alice_session):
    body = alice_client.get(reverse("sessions:control", args=[alice_session.pk])).content.decode()
    assert '<optgroup label="AV blocks">' in body
    assert '<option value="av_block_2_mobitz_1">Second-degree AV block, Mobitz I (Wenckebach)</option>' in body
    body = alice_client.get(
        reverse("sessions:control", args=[alice_session.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<optgroup label="Blocs AV">' in body


def test_the_csv_ends_with_the_lines_then_the_later_flags(alice_client, alice_session):
    post_action(alice_client, alice_session, "set_vitals", INVASIVE_POST)
    r = alice_client.get(reverse("sessions:export", args=[alice_session.pk]))
    rows = list(csv.DictReader(io.StringIO(r.getvalue().decode())))
    columns = list(rows[0])
    lines = columns.index("abp_systolic")
    assert columns[lines : lines + 3] == ["abp_systolic", "abp_diastolic", "cvp"]
    flags = lines + 3
    assert columns[flags : flags + len(debrief.CSV_LATER_FLAGS)] == list(debrief.CSV_LATER_FLAGS)
    assert (rows[0]["abp_systolic"], rows[0]["abp_diastolic"], rows[0]["cvp"]) == ("92", "48", "14")


# The patient's profile.


def test_a_new_session_takes_the_chosen_patient_and_its_limits(alice_client):
    alice_client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "profile": "infant"},
    )
    session = Session.objects.get()
    assert session.profile == "infant"
    assert session.alarm_limits == vitals.profile_alarm_limits("infant")


def test_a_session_from_a_template_takes_its_patient(alice_client, alice):
    template = library.save_template(
        alice, "Bronchiolitis", "", [library.StepData(AT_REST, 0, "")], profile="neonate"
    )
    alice_client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(template.pk)},
    )
    assert Session.objects.get().profile == "neonate"


def test_the_template_editor_saves_the_patient(alice_client, alice):
    form = {
        "name": "Croup",
        "description": "",
        "profile": "child",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "50",
        **{f"steps-0-{name}": value for name, value in VALID_POST.items()},
        "steps-0-transition_seconds": "0",
        "steps-0-ecg_lead2": "V5",
        "steps-0-abp_damping": "normal",
        "steps-0-ORDER": "1",
    }
    r = alice_client.post(reverse("library:new"), form, follow=True)
    assert "Template saved." in r.content.decode()
    assert alice.session_templates.get().profile == "child"


def test_the_control_page_changes_the_patient_and_resets_the_limits(alice_client, alice_session):
    r = post_action(alice_client, alice_session, "set_profile", {"profile": "child"})
    body = r.content.decode()
    assert "Patient changed: the alarm limits are now this patient&#x27;s defaults." in body
    alice_session.refresh_from_db()
    assert alice_session.profile == "child"
    assert alice_session.alarm_limits == vitals.profile_alarm_limits("child")
    kinds = list(alice_session.events.order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["profile", "alarm_limits"]
    # The presets follow the patient.
    assert "Normal child" in body and "Normal adult" not in body


def test_an_unknown_patient_is_refused(alice_client, alice_session):
    r = post_action(alice_client, alice_session, "set_profile", {"profile": "elderly"})
    assert "Choose a patient from the list." in r.content.decode()
    alice_session.refresh_from_db()
    assert alice_session.profile == "adult"


def test_bob_cannot_change_alices_patient(client, bob, alice_session):
    client.force_login(bob)
    r = client.post(reverse("sessions:action", args=[alice_session.pk, "set_profile"]), {"profile": "child"})
    assert r.status_code == 404


def test_without_javascript_the_12_lead_button_posts(alice_client, alice_session):
    alice_session.last_values = AT_REST
    alice_session.save()
    r = post_action(alice_client, alice_session, "acquire_12_lead")
    body = r.content.decode()
    assert "12-lead acquired on every screen." in body
    assert "<td>12-lead acquired</td>" in body
    event = alice_session.events.get()
    assert (event.kind, event.heart_rate) == ("twelve_lead", 75)


# Over the sockets.


@pytest.mark.django_db(transaction=True)
async def test_a_12_lead_reaches_every_screen_with_the_values_of_the_moment(alice):
    session = await sync_to_async(make_session)(alice, last_values=AT_REST)
    screens = [screen(session.code), screen(session.code)]
    for s in screens:
        assert (await s.connect())[0]
        assert (await receive(s))["type"] == "snapshot"
    trainer = await control(session, alice)
    assert (await trainer.connect())[0]
    await send(trainer, {"type": "acquire_12_lead", "request_id": "12"})
    # The ack and the relayed broadcast, in whichever order they come.
    seen = {}
    while not {"ack", "twelve_lead"} <= set(seen):
        message = await receive(trainer)
        seen[message["type"]] = message
    ack, relayed = seen["ack"], seen["twelve_lead"]
    event = await sync_to_async(SessionEvent.objects.get)()
    assert ack["message"] == "12-lead acquired on every screen."
    assert ack["at"] == event.created_at.isoformat()
    for s in screens:
        message = await receive(s)
        assert message == {
            "type": "twelve_lead",
            "values": AT_REST,
            "at": event.created_at.isoformat(),
            "by": {"trainer": str(event.author_id)},
        }
    assert "12-lead acquired" in relayed["html"]["event_row"]
    await disconnect_all(trainer, *screens)


@pytest.mark.django_db(transaction=True)
async def test_a_screen_cannot_acquire_a_12_lead_or_change_the_patient(alice):
    session = await sync_to_async(make_session)(alice, last_values=AT_REST)
    s = screen(session.code)
    assert (await s.connect())[0]
    await receive(s)
    for kind in ("acquire_12_lead", "set_profile"):
        # A screen's socket ignores what a screen may not send.
        await send(s, {"type": kind, "profile": "child", "request_id": kind})
        assert await s.receive_nothing(timeout=0.3)
    assert not await sync_to_async(SessionEvent.objects.exists)()
    await s.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_change_of_patient_reaches_the_screens_with_its_limits(alice):
    session = await sync_to_async(make_session)(alice, last_values=AT_REST)
    s = screen(session.code)
    assert (await s.connect())[0]
    await receive(s)
    trainer = await control(session, alice)
    assert (await trainer.connect())[0]
    await send(trainer, {"type": "set_profile", "profile": "neonate", "request_id": "p"})
    ack = await receive_type(trainer, "ack")
    assert ack["profile"] == "neonate" and ack["limits"] == vitals.profile_alarm_limits("neonate")
    profile = await receive(s)
    assert (profile["type"], profile["profile"], profile["values"]) == ("profile", "neonate", AT_REST)
    limits = await receive(s)
    assert limits["type"] == "alarm_limits"
    assert limits["limits"] == vitals.profile_alarm_limits("neonate")
    snapshot_session = await sync_to_async(Session.objects.get)()
    assert snapshot_session.profile == "neonate"
    await send(trainer, {"type": "set_profile", "profile": "giant", "request_id": "bad"})
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"profile": "The patient must be one of: adult, child, infant, neonate."}
    await disconnect_all(trainer, s)


def test_the_shipped_septic_shock_has_its_arterial_line_once_asked_for():
    shipped = SessionTemplate.objects.get(name="Septic shock", trainer=None)
    steps = list(shipped.steps.order_by("position"))
    assert "an arterial line" in steps[2].note
    assert [step.values.get("abp_systolic") for step in steps] == [None, None, None, 102, 114]
    for step in steps[3:]:
        clean = vitals.validate(step.values)
        # The line's mean is the one the notes give for the cuff.
        assert vitals.mean_arterial_pressure(clean["abp_systolic"], clean["abp_diastolic"]) in (71, 80)
        assert clean["cvp"] is not None
