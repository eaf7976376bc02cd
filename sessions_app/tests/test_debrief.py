import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from sessions_app import debrief, services
from sessions_app.models import SessionEvent
from sessions_app.tests.played import HYPOTENSION, T0, at, close
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def _get(client, session):
    return client.get(reverse("sessions:debrief", args=[session.pk]))


def test_it_plots_a_point_per_event_for_each_parameter(alice_client, played):
    r = _get(alice_client, played)
    body = r.content.decode()
    assert r.status_code == 200
    assert '<svg class="debrief-plot"' in body
    for name in ("heart_rate", "spo2", "systolic", "diastolic", "respiratory_rate", "etco2"):
        assert body.count(f'class="marker marker-{name}"') == 4, name


def test_it_leaves_out_respiration_and_etco2_when_never_used(alice_client, alice):
    session = make_session(alice, now=T0)
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 75, "spo2": 98}
    services.apply_vitals(session.pk, values, now=at(10))
    close(session, 60)
    body = _get(alice_client, session).content.decode()
    assert body.count('class="marker marker-heart_rate"') == 1
    assert "marker-respiratory_rate" not in body and "marker-etco2" not in body


def test_it_draws_a_trend_as_a_ramp_from_its_start_values(alice_client, played):
    body = _get(alice_client, played).content.decode()
    systolic = re.search(r'series-systolic">\s*<path class="line" d="([^"]+)"', body).group(1)

    # 600 s across the plot's width; 0 to 150 up its height.
    def point(seconds, value):
        x = debrief.MARGIN_LEFT + seconds / 600 * debrief.PLOT_WIDTH
        y = debrief.MARGIN_TOP + (1 - value / 150) * debrief.PLOT_HEIGHT
        return f"{round(x, 1)},{round(y, 1)}"

    assert systolic.split(" ")[:6] == [
        f"M{point(30, 120)}",  # normal values
        f"L{point(120, 120)}",  # held until the trend starts...
        f"L{point(120, 120)}",  # ...from where it was,
        f"L{point(180, HYPOTENSION['systolic'])}",  # down to 78 over 60 s,
        f"L{point(300, HYPOTENSION['systolic'])}",  # held,
        f"L{point(300, 0)}",  # then the arrest at once.
    ]


def test_it_shades_the_alarm_periods(alice_client, played):
    body = _get(alice_client, played).content.decode()
    # The hypotension never alarms: nobody measured it with the cuff. The arrest does.
    assert 'class="alarm-period alarm-yellow"' not in body
    assert body.count('class="alarm-period alarm-red"') == 1
    assert debrief.alarm_periods(debrief.timeline(played)) == [(at(300), at(600), "red")]


def test_blood_pressure_alarms_from_the_cuffs_reading_as_on_the_monitor(alice):
    session = make_session(alice, now=T0)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=at(10))
    services.set_nibp_interval(session.pk, 1, now=at(20))  # readings at 30, 90, 150, 210 s
    services.apply_vitals(session.pk, HYPOTENSION, transition_seconds=60, now=at(100))
    close(session, 240)
    # Systolic is below 90 from about 143 s; the reading taken at 150 s says so.
    assert debrief.alarm_periods(debrief.timeline(session)) == [(at(150), at(240), "yellow")]


def test_alarm_periods_follow_the_limits_in_force_at_the_time(alice):
    session = make_session(alice, now=T0)
    services.apply_vitals(session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 110}, now=at(10))
    services.set_alarm_limits(session.pk, {"heart_rate": [50, 100]}, now=at(40))
    services.set_alarm_limits(session.pk, {"heart_rate": [50, 120]}, now=at(70))
    close(session, 100)
    periods = debrief.alarm_periods(debrief.timeline(session))
    assert periods == [(at(40), at(70), "yellow")]


def test_a_general_alarm_flag_is_a_red_period(alice, alice_client):
    session = make_session(alice, now=T0)
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 75, "spo2": 98}
    services.apply_vitals(session.pk, {**values, "flags": {"alarm": True}}, now=at(10))
    services.apply_vitals(session.pk, values, now=at(40))
    close(session, 100)
    periods = debrief.alarm_periods(debrief.timeline(session))
    assert periods == [(at(10), at(40), "red")]


def test_it_lists_events_with_the_time_since_the_start(alice_client, played):
    body = _get(alice_client, played).content.decode()
    table = body[body.index('id="debrief-events"') :]
    offsets = re.findall(r"<time datetime=\"[^\"]+\">(\d\d:\d\d)</time>", table)
    assert offsets == ["00:30", "02:00", "02:30", "05:00"]
    assert table.count("Values changed") == 3 and "Alarms silenced" in table
    assert "60 s" in table
    assert "Ventricular fibrillation" in table
    assert 'id="event-count">4<' in body and "10:00" in body  # its length


def test_it_marks_notes_and_steps(alice_client, played):
    services.add_note(played, "Late <b>adrenaline</b>", at=at(200))
    SessionEvent.objects.filter(session=played, created_at=at(300)).update(detail={"step": 3})
    body = _get(alice_client, played).content.decode()
    assert 'class="note-mark"' in body and ">N1<" in body
    assert 'class="step-mark"' in body and "Step 4" in body  # index 3, the fourth step
    assert "Late &lt;b&gt;adrenaline&lt;/b&gt;" in body and "<b>adrenaline" not in body
    table = body[body.index('id="debrief-events"') :]
    rows = re.findall(r"<time datetime=\"[^\"]+\">(\d\d:\d\d)</time>", table)
    assert rows == ["00:30", "02:00", "02:30", "03:20", "05:00"]  # the note in its place


@pytest.mark.parametrize(
    "language, started", [("en", "2 Mar 2026 09:00"), ("fr", "2 mars 2026 09:00")]
)
def test_it_says_when_the_session_started_with_the_month_spelled(
    alice_client, played, language, started
):
    url = reverse("sessions:debrief", args=[played.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<time datetime="{T0.isoformat()}">{started}</time>' in body
    assert "03/02/2026" not in body and "02/03/2026" not in body


def test_it_says_so_when_nothing_was_sent(alice_client, alice_session):
    r = _get(alice_client, alice_session)
    body = r.content.decode()
    assert r.status_code == 200
    assert 'id="debrief-empty"' in body and "nothing to plot or replay" in body
    assert "<svg" not in body


def test_it_offers_replay_at_four_speeds(alice_client, played):
    body = _get(alice_client, played).content.decode()
    replay = reverse("sessions:replay", args=[played.pk])
    for speed in (1, 2, 4, 8):
        assert f'href="{replay}?speed={speed}"' in body


def test_the_printable_page_has_an_a4_print_stylesheet(alice_client, played):
    body = _get(alice_client, played).content.decode()
    assert 'href="/static/css/debrief.css"' in body
    with open(finders.find("css/debrief.css")) as f:
        css = f.read()
    assert "@page { size: A4;" in css
    print_rules = css[css.index("@media print") :]
    assert ".topbar" in print_rules and "display: none" in print_rules
    assert ".debrief-plot { width: 100%;" in print_rules
    assert 'class="debrief-actions no-print"' in body  # the buttons are not printed


def test_it_is_linked_from_the_control_page_and_the_list(alice_client, played):
    url = reverse("sessions:debrief", args=[played.pk])
    assert f'href="{url}"' in alice_client.get(reverse("sessions:list")).content.decode()
    control = alice_client.get(reverse("sessions:control", args=[played.pk]))
    assert f'href="{url}"' in control.content.decode()


def test_another_trainer_gets_404(bob_client, played):
    assert _get(bob_client, played).status_code == 404


def test_it_needs_a_login(client, played):
    r = _get(client, played)
    assert r.status_code == 302 and "/login/" in r.url


GEOMETRY = re.compile(r'\b(viewBox|x|y|x1|x2|y1|y2|cx|cy|width|height|d)="([^"]*)"')


def _plot_geometry(client, session, language: str) -> list[tuple[str, str]]:
    r = client.get(reverse("sessions:debrief", args=[session.pk]), HTTP_ACCEPT_LANGUAGE=language)
    svg = re.search(r'<svg class="debrief-plot".*?</svg>', r.content.decode(), re.S).group(0)
    return GEOMETRY.findall(svg)


def test_the_plot_geometry_is_the_same_in_french_never_with_decimal_commas(alice_client, played):
    french = _plot_geometry(alice_client, played, "fr")
    assert french == _plot_geometry(alice_client, played, "en")
    numbers = [value for name, value in french if name not in ("d", "viewBox")]
    assert any("." in value for value in numbers)  # fractional coordinates are there to check
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in numbers), numbers
