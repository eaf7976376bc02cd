"""The debrief of a scored run: what was expected and how it went, in English and French; the
logged actions on its timeline, its plot, its CSV and its replay."""

import csv
import io
import json

import pytest
from django.urls import reverse

from assessment.tests.runs import make_debriefed_run, make_run, make_template
from sessions_app.tests.played import read_replay
from shiller.tests.factory import later, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(alice):
    """Step 1 at 00:30, step 2 at 05:00; help at 00:50 (on time), cultures at 03:20 (late by
    50 s), noradrenaline at 04:40 (early by 20 s), no shock (the critical first shock missed);
    a free "Oxygen 15 L" at 01:00, an "Intubation" undone; the heart rate at 140 from 01:40 to
    02:40 (60 s above its limit of 120). Closed at 15:00."""
    return make_debriefed_run(alice, make_template(alice))


def _debrief(client, session, **headers):
    return client.get(reverse("sessions:debrief", args=[session.pk]), **headers).content.decode()


def _outcome_row(body, key) -> str:
    start = body.index(f'data-key="{key}"')
    return body[start : body.index("</tr>", start)]


def test_the_debrief_lists_each_expected_action_and_how_it_went(alice_client, run):
    body = _debrief(alice_client, run)
    help_ = _outcome_row(body, "help")
    assert "Call for help" in help_ and "on time" in help_
    assert "within 1 min of the scenario&#x27;s start" in help_
    assert "00:50" in help_ and "+00:20" in help_ and "Alice" not in help_  # alice has no name
    assert "alice@example.org" in help_  # who logged it
    cultures = _outcome_row(body, "cultures")
    assert "late by 50 s" in cultures and "the step&#x27;s start" in cultures and "+02:50" in cultures
    assert "early by 20 s" in _outcome_row(body, "norad")
    shock = _outcome_row(body, "shock1")
    assert "missed" in shock and "critical" in shock and "-5" in shock
    assert "not reached" in _outcome_row(body, "adren")
    # 2 + 1 + 1 - 5 = -1 of 8: 0 %, failed, one critical action missed.
    assert '<dd id="score">-1 / 8</dd>' in body
    assert '<dd id="score-percent">0 %</dd>' in body
    assert '<span class="badge failed">failed</span>' in body
    assert '<dd id="critical-missed">1</dd>' in body


def test_the_debrief_lists_the_unexpected_actions_and_the_time_out_of_range(alice_client, run):
    body = _debrief(alice_client, run)
    unexpected = body[body.index('id="unexpected-actions"') : body.index("</ul>", body.index('id="unexpected-actions"'))]
    assert "01:00</span> Oxygen 15 L" in unexpected
    assert "Intubation" not in unexpected  # undone
    assert '<li data-field="heart_rate" data-seconds="60.0">Heart rate: 1 min</li>' in body


def test_the_debrief_says_it_in_french(alice_client, run):
    body = _debrief(alice_client, run, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ce qui était attendu" in body
    assert "en retard de 50 s" in _outcome_row(body, "cultures")
    assert "à l’heure" in _outcome_row(body, "help")
    assert "au plus 1 min après le début du scénario" in _outcome_row(body, "help")
    assert "manquée" in _outcome_row(body, "shock1")
    assert "non atteinte" in _outcome_row(body, "adren")
    assert '<span class="badge failed">échec</span>' in body
    assert "Fréquence cardiaque\u00a0: 1 min" in body


def test_a_run_without_expected_actions_has_no_score(alice_client, alice):
    session = make_session(alice, now=later(0))
    body = _debrief(alice_client, session)
    assert "This scenario expected no actions: there is no score." in body
    assert 'id="score"' not in body
    assert 'id="cohort-link"' not in body  # no template to compare runs of


def test_the_debrief_links_to_the_cohort_of_its_template(alice_client, run):
    body = _debrief(alice_client, run)
    assert f'href="{reverse("assessment:cohort", args=[run.template_id])}"' in body


def test_logged_actions_and_undos_are_on_the_timeline(alice_client, run):
    body = _debrief(alice_client, run)
    assert body.count('<tr class="action-row') == 6
    assert "Blood cultures" in body[body.index('<tr class="action-row') :]
    assert 'class="action-row undone"' in body  # the intubation, struck out
    assert 'class="action-row undo-row"' in body
    assert "Action undone" in body


def test_logged_actions_are_marked_on_the_plot(alice_client, run):
    body = _debrief(alice_client, run)
    assert body.count('<g class="action-mark') == 6
    assert "<title>03:20 Blood cultures, by alice@example.org</title>" in body
    assert '<g class="action-mark undo-mark">' in body
    assert "Undone: Intubation" in body


def _csv_rows(client, session, **headers):
    r = client.get(reverse("sessions:export", args=[session.pk]), **headers)
    text = r.getvalue().decode("utf-8-sig")
    delimiter = ";" if headers else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_the_csv_has_a_row_per_logged_action(alice_client, run):
    head, *rows = _csv_rows(alice_client, run)
    actions = [dict(zip(head, row)) for row in rows if row[2] == "action"]
    assert len(actions) == 6
    cultures = next(row for row in actions if row["note"] == "Blood cultures")
    assert cultures["seconds_since_start"] == "200.000"
    assert cultures["author"] == "alice@example.org"
    detail = json.loads(cultures["detail"])
    assert detail["expected_key"] == "cultures" and detail["undoes"] is None
    undo = next(row for row in actions if json.loads(row["detail"])["undoes"])
    assert undo["note"] == "Intubation" and undo["seconds_since_start"] == "75.000"
    assert all(len(row) == len(head) for row in rows)


def test_the_french_csv_names_the_action_rows_in_french(alice_client, run):
    head, *rows = _csv_rows(alice_client, run, HTTP_ACCEPT_LANGUAGE="fr")
    actions = [row for row in rows if row[2] == "Action"]
    assert len(actions) == 6
    assert actions[0][head.index("Secondes depuis le début")] == "50.000"  # never 50,000


def test_the_replay_carries_the_logged_actions(alice_client, run):
    r = alice_client.get(reverse("sessions:replay_json", args=[run.pk]))
    messages = [m for m in read_replay(r)["messages"] if m.get("type") == "action"]
    assert [m["name"] for m in messages] == [
        "Call for help", "Oxygen 15 L", "Intubation", "Intubation", "Blood cultures", "Noradrenaline",
    ]  # fmt: skip
    assert messages[0]["expected_key"] == "help" and messages[0]["by"] == {"trainer": str(run.trainer_id)}
    assert messages[3]["undoes"] == messages[2]["action_id"]
    # In time order with the events.
    ats = [m["at"] for m in read_replay(alice_client.get(reverse("sessions:replay_json", args=[run.pk])))["messages"][1:]]
    assert ats == sorted(ats)


def test_the_replay_page_lists_the_logged_actions(alice_client, run):
    body = alice_client.get(reverse("sessions:replay", args=[run.pk])).content.decode()
    assert '<li data-at="200" hidden><span class="replay-action-at">03:20</span> Blood cultures, by alice@example.org</li>' in body


def test_a_shipped_scenarios_actions_are_named_in_the_page_language(alice_client, alice):
    # Shipped templates are stored in English and translated when shown; "Shock" is in the
    # catalogue ("Choc"). A trainer's own "Shock" would stay as typed.
    template = make_template(None, name="Shipped drill")
    template.expected_actions = [{**template.expected_actions[1], "name": "Shock"}]
    template.save()
    run = make_run(alice, template, "RUN002", steps=[0], shocks=[30])
    body = _debrief(alice_client, run, HTTP_ACCEPT_LANGUAGE="fr")
    assert "<td>Choc <span" in _outcome_row(body, "shock1")
    cohort = alice_client.get(
        reverse("assessment:cohort", args=[template.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "<td>Choc</td>" in cohort
