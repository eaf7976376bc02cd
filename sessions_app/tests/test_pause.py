"""Pause: every screen holds its numbers and its trend where they are, until the trainer
resumes; both are stored as events, and nothing changes the patient in between."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app import services
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import T0, later, make_session
from simulator import trends, vitals

AT_REST = {**vitals.DEFAULT_VALUES, "heart_rate": 80}
TACHYCARDIA = {**AT_REST, "heart_rate": 140}


@pytest.fixture
def trending(alice):
    """HR 80 -> 140 over 10 s from T0."""
    session = make_session(alice, now=T0, last_values=AT_REST)
    services.apply_vitals(session.pk, TACHYCARDIA, transition_seconds=10, now=T0)
    return session


@pytest.mark.django_db
def test_a_pause_holds_a_trend_where_it_is_and_resume_goes_on_from_there(trending):
    paused = services.pause_session(trending.pk, now=later(5))

    assert paused.event.kind == SessionEvent.PAUSED
    assert paused.event.heart_rate == 110
    # Minutes later, still paused: every screen shows 110, no trend runs.
    trending.refresh_from_db()
    assert services.current_values(trending, later(300))["heart_rate"] == 110
    assert services.monitor_state(trending, later(300))["paused"] is True

    resumed = services.resume_session(trending.pk, now=later(300))

    # The 5 s the trend had left, from 110 to 140.
    assert resumed.event.kind == SessionEvent.RESUMED
    assert resumed.event.transition_seconds == 5
    trending.refresh_from_db()
    assert trends.values_at(trending.last_values, trending.trend, later(302.5))["heart_rate"] == 125
    assert services.current_values(trending, later(305))["heart_rate"] == 140
    assert services.monitor_state(trending, later(305))["paused"] is False


@pytest.mark.django_db
def test_while_paused_the_patient_cannot_change(trending):
    services.pause_session(trending.pk, now=later(5))
    stored = SessionEvent.objects.count()

    with pytest.raises(services.Paused):
        services.apply_vitals(trending.pk, AT_REST, now=later(6))
    with pytest.raises(services.Paused):
        services.stop_trend(trending.pk, now=later(6))
    with pytest.raises(services.Paused):
        services.pause_session(trending.pk, now=later(6))

    assert SessionEvent.objects.count() == stored


@pytest.mark.django_db
def test_resume_without_a_pause_is_refused(trending):
    with pytest.raises(services.NotPaused):
        services.resume_session(trending.pk, now=later(6))


@pytest.mark.django_db
def test_without_the_live_link_pause_and_resume_post_and_say_so(alice_client, alice):
    session = make_session(alice, last_values=AT_REST)
    url = reverse("sessions:action", args=[session.pk, "pause_session"])
    page = alice_client.post(url, follow=True).content.decode()
    assert "Paused: every screen holds its values." in page
    page = alice_client.post(url, follow=True).content.decode()
    assert "The session is paused: resume it to change the patient." in page
    resume = reverse("sessions:action", args=[session.pk, "resume_session"])
    assert "Resumed: the patient moves again." in alice_client.post(resume, follow=True).content.decode()
    kinds = list(SessionEvent.objects.order_by("created_at").values_list("kind", flat=True))
    assert kinds == [SessionEvent.PAUSED, SessionEvent.RESUMED]


@pytest.mark.django_db(transaction=True)
async def test_every_screen_is_told_and_the_control_page_refuses_changes_while_paused(alice):
    session = await sync_to_async(make_session)(alice, last_values=AT_REST)
    s, trainer = screen("ABC234"), await control(session, alice)
    await s.connect()
    await receive(s)
    await trainer.connect()

    await send(trainer, {"type": "pause_session", "request_id": "1"})
    held = await receive_type(s, "vitals")
    assert (held["kind"], held["trend"], held["values"]) == ("paused", None, AT_REST)
    assert (await receive_type(trainer, "ack"))["message"] == "Paused: every screen holds its values."

    await send(trainer, {"type": "set_vitals", "values": TACHYCARDIA, "request_id": "2"})
    refused = await receive_type(trainer, "error")
    assert refused["errors"] == {"session": "The session is paused: resume it to change the patient."}
    assert (await sync_to_async(Session.objects.get)(pk=session.pk)).last_values == AT_REST

    await send(trainer, {"type": "resume_session", "request_id": "3"})
    assert (await receive_type(s, "vitals"))["kind"] == "resumed"
    await disconnect_all(s, trainer)
