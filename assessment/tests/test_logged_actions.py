"""Logging what the trainee did during a run: the services, the no-JS POST and the control page's
checklist (the live link is in test_checklist_live.py)."""

import time_machine
import pytest
from django.urls import reverse

from assessment import services
from assessment.models import LoggedAction
from library.models import SessionTemplate
from sessions_app import scenarios, services as session_services, treatment
from shiller.tests.factory import T0, later, make_faculty
from simulator import vitals

pytestmark = pytest.mark.django_db

VF = "Ventricular fibrillation arrest"


def vf_session(trainer, now=T0):
    template = SessionTemplate.objects.get(name=VF, trainer=None)
    with time_machine.travel(now, tick=False):
        return scenarios.start_session(trainer, "Alex", 60, template)


def apply_step(session, index, trainer, at):
    with time_machine.travel(at, tick=False):
        scenarios.apply_step(session.pk, index, trainer=trainer)


def log(session, trainer, at, **what):
    with time_machine.travel(at, tick=False):
        return services.log_action(session.pk, trainer=trainer, **what)


def undo(session, trainer, at, logged):
    with time_machine.travel(at, tick=False):
        return services.undo_action(session.pk, logged.row.id, trainer=trainer)


# The services.


def test_an_expected_action_is_logged_at_its_step_with_its_author(alice):
    session = vf_session(alice)
    apply_step(session, 1, alice, later(10))
    logged = log(session, alice, later(40), expected_key="arrestcall")
    row = LoggedAction.objects.get()
    assert (row.name, row.expected_key, row.step, row.at, row.author) == (
        "Cardiac arrest call", "arrestcall", 1, later(40), alice
    )
    # From the scenario's start: its first step applied.
    assert logged.message["elapsed"] == 30
    assert logged.message["type"] == "action_logged"


def test_a_free_action_keeps_its_name(alice):
    session = vf_session(alice)
    log(session, alice, later(5), name="  Chest X-ray asked for ")
    row = LoggedAction.objects.get()
    assert (row.name, row.expected_key, row.step) == ("Chest X-ray asked for", "", None)


@pytest.mark.parametrize(
    ("what", "field", "message"),
    [
        ({"expected_key": "nosuch"}, "expected", "This session expects no such action."),
        ({"name": "   "}, "name", "Name the action (at most 120 characters)."),
        ({"name": "x" * 121}, "name", "Name the action (at most 120 characters)."),
        ({}, "name", "Log an expected action or name one."),
    ],
)
def test_a_bad_log_is_refused_and_nothing_stored(alice, what, field, message):
    session = vf_session(alice)
    with pytest.raises(vitals.VitalsError) as refused:
        log(session, alice, later(5), **what)
    assert refused.value.errors == {field: message}
    assert not LoggedAction.objects.exists()


def test_an_expected_action_is_logged_once(alice):
    session = vf_session(alice)
    log(session, alice, later(5), expected_key="ecg")
    with pytest.raises(vitals.VitalsError) as refused:
        log(session, alice, later(6), expected_key="ecg")
    assert refused.value.errors == {"expected": "This action is logged already."}


def test_an_undo_within_ten_seconds_is_a_new_row(alice):
    session = vf_session(alice)
    logged = log(session, alice, later(5), expected_key="ecg")
    undone = undo(session, alice, later(15), logged)
    assert LoggedAction.objects.count() == 2
    assert undone.row.undoes_id == logged.row.id
    assert undone.message["type"] == "action_undone"
    # Undone, it may be logged again.
    log(session, alice, later(16), expected_key="ecg")


def test_an_undo_after_ten_seconds_is_refused(alice):
    session = vf_session(alice)
    logged = log(session, alice, later(5), expected_key="ecg")
    with pytest.raises(vitals.VitalsError) as refused:
        undo(session, alice, later(15.5), logged)
    assert refused.value.errors == {
        "logged": "Too late to undo: an action can be undone for 10 seconds."
    }
    assert LoggedAction.objects.count() == 1


def test_an_undo_is_not_undone_twice(alice):
    session = vf_session(alice)
    logged = log(session, alice, later(5), name="Oxygen")
    undo(session, alice, later(6), logged)
    with pytest.raises(vitals.VitalsError) as refused:
        undo(session, alice, later(7), logged)
    assert refused.value.errors == {"logged": "This action is undone already."}


def test_an_ended_session_refuses_a_log(alice):
    session = vf_session(alice)
    session_services.close_session(session)
    with pytest.raises(session_services.SessionNotOpen):
        services.log_action(session.pk, trainer=alice, name="Oxygen")


def test_every_faculty_member_may_log_and_another_trainer_may_not(bob):
    faculty = make_faculty()
    session = faculty["session"]
    for role in ("owner", "cotrainer", "observer", "school_admin"):
        services.log_action(session.pk, trainer=faculty[role], name=f"By {role}")
    for outsider in (faculty["colleague"], faculty["other_school"], bob):
        with pytest.raises(session.DoesNotExist):
            services.log_action(session.pk, trainer=outsider, name="Nope")
    assert LoggedAction.objects.count() == 4


def test_the_checklist_shows_the_recognised_first_shock_and_cpr(alice):
    session = vf_session(alice)
    apply_step(session, 1, alice, later(0))
    session.refresh_from_db()
    with time_machine.travel(later(20), tick=False):
        treatment.set_cpr(session.pk, True, trainer=alice)
    panel = services.checklist(session)
    current = {item["action"]["key"]: item for item in panel["groups"][0]["items"]}
    assert panel["groups"][0]["title"] == "Step 2 (current)"
    assert current["cpr"]["recognised_elapsed"] == 20
    assert current["shock1"]["recognised_elapsed"] is None


# The pages.


@time_machine.travel(later(1), tick=False)
def test_the_control_page_shows_the_checklist_of_the_step_and_the_scenario(alice, alice_client):
    session = vf_session(alice)
    scenarios.apply_step(session.pk, 1, trainer=alice)
    body = alice_client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    assert 'id="checklist"' in body
    assert "Step 2 (current)" in body and "Whole scenario" in body
    assert ">First shock</button>" in body
    assert "within 2 min of the step&#x27;s start" in body
    assert ">Adrenaline 1 mg IV</button>" in body and "within 2 min of shock 3" in body
    assert 'value="Call for help"' in body


@time_machine.travel(later(1), tick=False)
def test_the_checklist_is_in_french_for_a_shipped_template(alice, alice_client):
    session = vf_session(alice)
    scenarios.apply_step(session.pk, 1, trainer=alice)
    url = reverse("sessions:control", args=[session.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Premier choc</button>" in body
    assert "Étape 2 (en cours)" in body
    assert ">Adrénaline 1 mg IV</button>" in body
    # The session keeps the English it copied.
    assert session.steps[1]["expected_actions"][2]["name"] == "First shock"


def test_a_session_without_expected_actions_says_so(alice_session, alice_client):
    body = alice_client.get(reverse("sessions:control", args=[alice_session.pk])).content.decode()
    assert 'id="checklist-empty"' in body
    assert "This session expects no actions" in body


@time_machine.travel(later(1), tick=False)
def test_an_action_posted_without_the_live_link_is_logged(alice, alice_client):
    session = vf_session(alice)
    url = reverse("sessions:action", args=[session.pk, "log_action"])
    r = alice_client.post(url, {"expected": "ecg"}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("sessions:control", args=[session.pk])
    assert "Action logged." in r.content.decode()
    logged = LoggedAction.objects.get()
    assert logged.name == "12-lead ECG"
    body = r.content.decode()
    assert f'data-logged="{logged.id}"' in body
    # Its Undo button, a form with the page's token.
    assert f'id="undo-{logged.id}"' in body


@time_machine.travel(later(1), tick=False)
def test_a_free_action_posted_empty_is_refused_beside_its_field(alice, alice_client):
    session = vf_session(alice)
    url = reverse("sessions:action", args=[session.pk, "log_action"])
    r = alice_client.post(url, {"name": "  "})
    assert r.status_code == 400
    assert "Name the action first: an empty one is not logged." in r.content.decode()
    assert not LoggedAction.objects.exists()


def test_an_undo_posted_too_late_is_refused_with_its_message(alice, alice_client):
    session = vf_session(alice)
    logged = log(session, alice, later(5), name="Oxygen")
    url = reverse("sessions:action", args=[session.pk, "undo_action"])
    with time_machine.travel(later(30), tick=False):
        r = alice_client.post(url, {"logged": str(logged.row.id)}, follow=True)
    assert "Too late to undo: an action can be undone for 10 seconds." in r.content.decode()
    assert LoggedAction.objects.count() == 1


def test_an_undo_posted_in_time_takes_the_action_back(alice, alice_client):
    session = vf_session(alice)
    logged = log(session, alice, later(5), name="Oxygen")
    url = reverse("sessions:action", args=[session.pk, "undo_action"])
    with time_machine.travel(later(9), tick=False):
        r = alice_client.post(url, {"logged": str(logged.row.id)}, follow=True)
        assert "Undone: the action is no longer logged." in r.content.decode()
        assert f'data-logged="{logged.row.id}"' not in r.content.decode()
    assert LoggedAction.objects.filter(undoes=logged.row).exists()


@time_machine.travel(later(1), tick=False)
def test_an_observer_logs_from_the_page(client):
    faculty = make_faculty()
    client.force_login(faculty["observer"])
    url = reverse("sessions:action", args=[faculty["session"].pk, "log_action"])
    r = client.post(url, {"name": "Oxygen"})
    assert r.status_code == 302
    assert LoggedAction.objects.get().author == faculty["observer"]


def test_a_log_on_an_ended_session_is_refused(alice, alice_client):
    session = vf_session(alice)
    session_services.close_session(session)
    url = reverse("sessions:action", args=[session.pk, "log_action"])
    r = alice_client.post(url, {"name": "Oxygen"}, follow=True)
    assert "This session has ended: the change was not stored." in r.content.decode()
    assert not LoggedAction.objects.exists()
