import json

import pytest
from django.urls import reverse

from sessions_app import services
from sessions_app.tests.played import HYPOTENSION, T0, at, close, read_replay
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def _replay(client, session):
    return client.get(reverse("sessions:replay_json", args=[session.pk]))



def test_it_starts_with_a_blank_snapshot(alice_client, played):
    r = _replay(alice_client, played)
    assert r.status_code == 200 and r["Content-Type"] == "application/json" and r.streaming
    data = read_replay(r)
    assert data["started_at"] == T0.isoformat()
    assert data["ended_at"] == at(600).isoformat()
    snapshot = data["messages"][0]
    assert snapshot == {
        "type": "snapshot",
        "now": T0.isoformat(),
        "values": None,
        "trend": None,
        "expires_at": played.expires_at.isoformat(),
        "trainee_name": "Alex",
        "alarm_limits": vitals.default_alarm_limits(),
        "alarms_silenced_until": None,
        "alarms_acknowledged": [],
        "nibp": {
            "measurement_seconds": vitals.NIBP_MEASUREMENT_SECONDS,
            "interval_minutes": 0,
            "cycle_started_at": None,
            "started_at": None,
            "reading": None,
        },
        "paused": False,
        "profile": "adult",
        "defibrillator": {"mode": "off", "capture_threshold_ma": 70, "cpr_quality": "good"},
        "treatment": {},
        "results": [],
    }


def test_then_one_message_per_event_in_order(alice_client, played):
    messages = read_replay(_replay(alice_client, played))["messages"][1:]
    events = list(played.events.order_by("created_at"))
    assert [m["event_id"] for m in messages] == [str(e.id) for e in events]
    assert [m["type"] for m in messages] == ["vitals", "vitals", "alarms_silenced", "vitals"]
    assert [m["at"] for m in messages] == [at(s).isoformat() for s in (30, 120, 150, 300)]
    first, trend, silenced, arrest = messages
    assert first["kind"] == "vitals" and first["trend"] is None
    assert first["values"] == vitals.DEFAULT_VALUES
    assert trend["values"] == vitals.validate(HYPOTENSION)
    assert trend["trend"] == {
        "from": {**{k: v for k, v in vitals.DEFAULT_VALUES.items() if k != "flags"}},
        "started_at": at(120).isoformat(),
        "seconds": 60,
    }
    assert silenced == {
        "type": "alarms_silenced",
        "until": at(150 + vitals.SILENCE_SECONDS).isoformat(),
        "acknowledged": [],  # nothing sounded then
        "event_id": str(events[2].id),
        "values": events[2].values,  # halfway along the trend: the values its row shows
        "at": at(150).isoformat(),
        "by": None,  # a screen the test does not name
    }
    assert arrest["values"]["flags"]["rhythm"] == "ventricular_fibrillation"


def test_its_messages_are_those_the_screens_were_sent(
    alice, alice_client, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        services, "broadcast", lambda pk, message, ended=False: sent.append(message)
    )
    session = make_session(alice, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=at(10))
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_vitals(session.pk, HYPOTENSION, transition_seconds=30, now=at(20))
    with django_capture_on_commit_callbacks(execute=True):
        services.stop_trend(session.pk, now=at(35))
    with django_capture_on_commit_callbacks(execute=True):
        services.silence_alarms(session.pk, now=at(40))
    close(session, 60)
    messages = read_replay(_replay(alice_client, session))["messages"]
    assert messages[1:] == json.loads(json.dumps(sent))
    assert [m.get("kind") for m in messages[1:]] == ["vitals", "vitals", "trend_stopped", None]


def test_a_session_without_events_replays_only_its_snapshot(alice_client, alice):
    session = close(make_session(alice, now=T0), 90)
    data = read_replay(_replay(alice_client, session))
    assert [m["type"] for m in data["messages"]] == ["snapshot"]
    assert data["ended_at"] == at(90).isoformat()


def test_the_replay_page_is_the_monitor_fed_by_the_json(alice_client, played):
    r = alice_client.get(reverse("sessions:replay", args=[played.pk]), {"speed": "4"})
    body = r.content.decode()
    assert r.status_code == 200
    assert 'id="monitor"' in body and 'id="ecg-canvas"' in body
    src = reverse("sessions:replay_json", args=[played.pk])
    assert f'data-replay-src="{src}" data-replay-speed="4"' in body
    assert "/static/sessions_app/monitor.js" in body


@pytest.mark.parametrize("speed", ["3", "0", "-2", "fast", "", "²", "04"])
def test_an_unknown_speed_plays_at_1x(alice_client, played, speed):
    r = alice_client.get(reverse("sessions:replay", args=[played.pk]), {"speed": speed})
    assert 'data-replay-speed="1"' in r.content.decode()


def test_another_trainer_gets_404(bob_client, played):
    assert _replay(bob_client, played).status_code == 404
    assert bob_client.get(reverse("sessions:replay", args=[played.pk])).status_code == 404


def test_it_needs_a_login(client, played):
    assert _replay(client, played).status_code == 302


# The replay's controls (replay.js works them; the page says where the replay starts).


def _page(client, session, **query):
    return client.get(reverse("sessions:replay", args=[session.pk]), query).content.decode()


def test_the_replay_page_has_play_pause_a_slider_and_the_elapsed_time(alice_client, played):
    body = _page(alice_client, played)
    assert 'data-at="0" data-paused="false" data-duration="600"' in body
    assert '<input type="range" id="replay-seek" class="replay-seek" min="0" max="600"' in body
    assert ">Pause</span>" in body and ">Play</span>" in body
    assert '<span id="replay-at">00:00</span> / <span id="replay-duration">10:00</span>' in body
    assert "Replay of ABC234 at 1×" in body and ">2 Mar 2026 09:00</time>" in body
    # The controls' script first: it asks for the replay's clock before monitor.js makes it.
    assert body.index("sessions_app/replay.js") < body.index("sessions_app/monitor.js")


def test_it_starts_where_the_controls_reloaded_it(alice_client, played):
    body = _page(alice_client, played, speed="4", at="150", paused="1")
    assert 'data-replay-speed="4"' in body
    assert 'data-at="150" data-paused="true" data-duration="600"' in body
    assert '<span id="replay-at">02:30</span>' in body


@pytest.mark.parametrize("at, expected", [("-5", 0), ("abc", 0), ("²", 0), ("", 0), ("9999", 600)])
def test_a_moment_outside_the_session_starts_at_an_end_of_it(alice_client, played, at, expected):
    assert f'data-at="{expected}" data-paused="false"' in _page(alice_client, played, at=at)


def test_the_controls_speak_french(alice_client, played):
    url = reverse("sessions:replay", args=[played.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Lecture</span>" in body and 'aria-label="Moment de la séance"' in body
    assert "Relecture de ABC234 à 1×" in body and ">2 mars 2026 09:00</time>" in body
