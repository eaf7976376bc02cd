"""The trainee treats the patient: the defibrillator, the AED, the pacer and CPR, as stored,
refused and relayed; and the step a shock triggers."""

import datetime

import pytest
from asgiref.sync import sync_to_async

from live.tests.ws import control, disconnect_all, receive, receive_type, screen, send
from sessions_app import services, treatment
from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import AT_REST, T0, make_session
from simulator import treatment as rules
from simulator.vitals import VitalsError

VF = {**AT_REST, "heart_rate": 0, "flags": {**AT_REST["flags"], "rhythm": "ventricular_fibrillation"}}
SINUS_ROSC = {**AT_REST, "heart_rate": 110, "systolic": 90, "diastolic": 55}
IPAD = {"id": "a1b2c3", "name": "Bed 3", "device": "ipad", "browser": "Safari"}


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def manual(trainer, values=VF, **fields) -> Session:
    return make_session(
        trainer,
        now=T0,
        last_values=values,
        defibrillator={**rules.default_settings(), "mode": "manual"},
        **fields,
    )


def stored_kinds(session) -> list[str]:
    return list(session.events.order_by("created_at").values_list("kind", flat=True))


def refused(call) -> dict:
    with pytest.raises(VitalsError) as error:
        call()
    return error.value.errors


@pytest.fixture
def vf(alice):
    return manual(alice)


# The trainer sets the device ------------------------------------------------------------


def test_the_trainer_makes_the_monitor_an_aed_and_back(alice):
    session = make_session(alice, now=T0, last_values=AT_REST)
    change = treatment.set_defibrillator(session.pk, {"mode": "aed"}, trainer=alice, now=T0)
    session.refresh_from_db()
    assert session.defibrillator == {"mode": "aed", "capture_threshold_ma": 70, "cpr_quality": "good"}
    message = change.event.message()
    assert (message["type"], message["kind"]) == ("treatment", "defibrillator")
    assert message["defibrillator"]["mode"] == "aed"


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"mode": "biphasic"}, "mode"),
        ({"capture_threshold_ma": 201}, "capture_threshold_ma"),
        ({"capture_threshold_ma": "70"}, "capture_threshold_ma"),
        ({"capture_threshold_ma": True}, "capture_threshold_ma"),
        ({"cpr_quality": "excellent"}, "cpr_quality"),
    ],
)
def test_wrong_settings_are_refused_and_nothing_is_stored(alice, settings, field):
    session = make_session(alice, now=T0, last_values=AT_REST)
    errors = refused(lambda: treatment.set_defibrillator(session.pk, settings, trainer=alice, now=T0))
    assert list(errors) == [field]
    session.refresh_from_db()
    assert session.defibrillator == rules.default_settings()
    assert stored_kinds(session) == []


def test_another_trainer_cannot_set_the_device(alice, bob):
    session = make_session(alice, now=T0, last_values=AT_REST)
    with pytest.raises(Session.DoesNotExist):
        treatment.set_defibrillator(session.pk, {"mode": "aed"}, trainer=bob, now=T0)


# Manual: charge, shock, disarm ----------------------------------------------------------


def test_a_charge_is_ready_after_the_time_a_unit_takes_and_a_shock_is_stored(vf):
    treatment.charge(vf.pk, 200, screen=IPAD, now=T0)
    ready = T0 + seconds(rules.charge_seconds(200))
    errors = refused(lambda: treatment.shock(vf.pk, screen=IPAD, now=ready - seconds(0.1)))
    assert errors == {"charge": "Still charging: wait for the charged tone."}
    change = treatment.shock(vf.pk, screen=IPAD, now=ready)
    detail = change.event.detail
    assert {key: detail[key] for key in ("joules", "sync", "mode", "rhythm", "screen")} == {
        "joules": 200,
        "sync": False,
        "mode": "manual",
        "rhythm": "ventricular_fibrillation",
        "screen": IPAD,
    }
    vf.refresh_from_db()
    assert "charge" not in vf.treatment
    assert vf.treatment["last_shock"]["joules"] == 200
    assert stored_kinds(vf) == ["charged", "shock"]
    # The charge went with the shock.
    errors = refused(lambda: treatment.shock(vf.pk, now=ready + seconds(1)))
    assert errors == {"charge": "Charge first: the defibrillator is not charged."}


def test_an_unused_charge_disarms_itself(vf):
    treatment.charge(vf.pk, 150, now=T0)
    late = T0 + seconds(rules.charge_seconds(150) + rules.CHARGE_HOLD_SECONDS)
    errors = refused(lambda: treatment.shock(vf.pk, now=late))
    assert "charge again" in errors["charge"]
    assert stored_kinds(vf) == ["charged"]


def test_the_trainee_disarms(vf):
    treatment.charge(vf.pk, 360, now=T0)
    change = treatment.disarm(vf.pk, screen=IPAD, now=T0 + seconds(1))
    assert change.event.detail["joules"] == 360
    vf.refresh_from_db()
    assert "charge" not in vf.treatment
    errors = refused(lambda: treatment.disarm(vf.pk, now=T0 + seconds(2)))
    assert errors == {"charge": "The defibrillator is not charged."}


@pytest.mark.parametrize("joules", [0, 361, "200", 200.5, None, True])
def test_energies_outside_1_to_360_joules_are_refused(vf, joules):
    errors = refused(lambda: treatment.charge(vf.pk, joules, now=T0))
    assert errors == {"joules": "Choose an energy from 1 to 360 J."}
    vf.refresh_from_db()
    assert vf.treatment == {}
    assert stored_kinds(vf) == []


def test_a_monitor_that_is_not_a_defibrillator_cannot_charge(alice):
    session = make_session(alice, now=T0, last_values=VF)
    errors = refused(lambda: treatment.charge(session.pk, 200, now=T0))
    assert errors == {"mode": "This needs the manual defibrillator: the trainer has not set it."}


def test_a_synchronised_shock_needs_r_waves(alice):
    vt_with_pulse = {**AT_REST, "heart_rate": 170, "flags": {**AT_REST["flags"], "rhythm": "ventricular_tachycardia"}}
    session = manual(alice, values=vt_with_pulse)
    treatment.charge(session.pk, 100, sync=True, now=T0)
    ready = T0 + seconds(rules.charge_seconds(100))
    assert treatment.shock(session.pk, now=ready).event.detail["sync"] is True
    on_vf = manual(alice, code="VFV234")
    treatment.charge(on_vf.pk, 100, sync=True, now=T0)
    errors = refused(lambda: treatment.shock(on_vf.pk, now=ready))
    assert "no R wave" in errors["sync"]


# What a shock does: the step's rule ------------------------------------------------------


def scenario(trainer, on_shock):
    steps = [
        {"values": VF, "transition_seconds": 0, "note": "VF arrest", "on_shock": on_shock},
        {"values": SINUS_ROSC, "transition_seconds": 0, "note": "ROSC"},
    ]
    return manual(trainer, steps=steps, current_step=0)


RULE = {"min_joules": 150, "sync": None, "go_to": 1, "after_seconds": 5}


def test_a_shock_of_enough_energy_goes_to_the_steps_next_rhythm_when_due(alice):
    session = scenario(alice, RULE)
    treatment.charge(session.pk, 200, now=T0)
    shocked_at = T0 + seconds(rules.charge_seconds(200))
    change = treatment.shock(session.pk, now=shocked_at)
    assert change.event.detail["goes_to_step"] == 1
    due = shocked_at + seconds(5)
    assert treatment.apply_due_step(session.pk, now=due - seconds(0.5)) is False
    assert treatment.apply_due_step(session.pk, now=due) is True
    session.refresh_from_db()
    assert session.current_step == 1
    assert session.last_values["heart_rate"] == 110
    assert "pending_step" not in session.treatment
    # Every process calls it; the first applied it.
    assert treatment.apply_due_step(session.pk, now=due + seconds(1)) is False
    assert stored_kinds(session) == ["charged", "shock", "vitals"]


def test_a_shock_below_the_steps_energy_leaves_the_choice_to_the_trainer(alice):
    session = scenario(alice, RULE)
    treatment.charge(session.pk, 120, now=T0)
    change = treatment.shock(session.pk, now=T0 + seconds(rules.charge_seconds(120)))
    assert "goes_to_step" not in change.event.detail
    session.refresh_from_db()
    assert "pending_step" not in session.treatment


def test_a_rule_for_synchronised_shocks_ignores_unsynchronised_ones(alice):
    vt = {**AT_REST, "heart_rate": 170, "flags": {**AT_REST["flags"], "rhythm": "ventricular_tachycardia"}}
    session = scenario(alice, {**RULE, "sync": True})
    session.steps[0]["values"] = vt
    Session.objects.filter(pk=session.pk).update(steps=session.steps, last_values=vt)
    treatment.charge(session.pk, 200, now=T0)
    change = treatment.shock(session.pk, now=T0 + seconds(rules.charge_seconds(200)))
    assert "goes_to_step" not in change.event.detail


# AED ------------------------------------------------------------------------------------


def aed(trainer, values=VF, code="AED234"):
    return make_session(
        trainer,
        code=code,
        now=T0,
        last_values=values,
        defibrillator={**rules.default_settings(), "mode": "aed"},
    )


def test_the_aed_advises_a_shock_on_vf_and_charges_itself(alice):
    session = aed(alice)
    errors = refused(lambda: treatment.analyse(session.pk, now=T0))
    assert errors == {"pads": "Connect the pads first."}
    treatment.set_pads(session.pk, True, screen=IPAD, now=T0)
    change = treatment.analyse(session.pk, screen=IPAD, now=T0 + seconds(1))
    assert change.event.detail["advice"] == "shock"
    assert change.event.detail["rhythm"] == "ventricular_fibrillation"
    charge = change.event.detail["state"]["treatment"]["charge"]
    assert charge["joules"] == rules.AED_JOULES
    done = T0 + seconds(1 + rules.ANALYSIS_SECONDS + rules.charge_seconds(rules.AED_JOULES))
    assert treatment.shock(session.pk, now=done).event.detail["mode"] == "aed"


def test_the_aed_advises_no_shock_on_sinus_rhythm_and_cannot_be_made_to_shock(alice):
    session = aed(alice, values=AT_REST)
    treatment.set_pads(session.pk, True, now=T0)
    change = treatment.analyse(session.pk, now=T0)
    assert change.event.detail["advice"] == "no_shock"
    errors = refused(lambda: treatment.shock(session.pk, now=T0 + seconds(30)))
    assert errors == {"charge": "Charge first: the defibrillator is not charged."}
    errors = refused(lambda: treatment.charge(session.pk, 200, now=T0 + seconds(30)))
    assert list(errors) == ["mode"]


def test_the_aed_does_not_analyse_during_compressions(alice):
    session = aed(alice)
    treatment.set_pads(session.pk, True, now=T0)
    treatment.set_cpr(session.pk, True, now=T0)
    errors = refused(lambda: treatment.analyse(session.pk, now=T0 + seconds(1)))
    assert errors == {"cpr": "Stop compressions: the AED cannot analyse during CPR."}


# Pacer and CPR --------------------------------------------------------------------------


def test_pacing_captures_at_the_trainers_threshold(alice):
    bradycardia = {**AT_REST, "heart_rate": 30, "flags": {**AT_REST["flags"], "rhythm": "av_block_3"}}
    session = manual(alice, values=bradycardia)
    pacing = {"on": True, "rate": 70, "ma": 50, "mode": "demand"}
    below = treatment.set_pacer(session.pk, pacing, screen=IPAD, now=T0)
    assert below.event.detail["captured"] is False
    at = treatment.set_pacer(session.pk, {**pacing, "ma": 70}, now=T0 + seconds(5))
    assert at.event.detail["captured"] is True
    session.refresh_from_db()
    # Changing the output does not restart the pacer.
    assert session.treatment["pacer"] == {"rate": 70, "ma": 70, "mode": "demand", "since": T0.isoformat()}
    treatment.set_pacer(session.pk, {"on": False}, now=T0 + seconds(9))
    session.refresh_from_db()
    assert "pacer" not in session.treatment


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"on": True, "rate": 20, "ma": 60}, "rate"),
        ({"on": True, "rate": 70, "ma": 201}, "ma"),
        ({"on": True, "rate": 70, "ma": -1}, "ma"),
        ({"on": True, "rate": 70, "ma": 60, "mode": "overdrive"}, "mode"),
        ({"on": "yes"}, "on"),
    ],
)
def test_wrong_pacer_settings_are_refused_and_nothing_is_stored(vf, settings, field):
    errors = refused(lambda: treatment.set_pacer(vf.pk, settings, now=T0))
    assert field in errors
    vf.refresh_from_db()
    assert vf.treatment == {}
    assert stored_kinds(vf) == []


def test_compressions_start_and_stop(vf):
    treatment.set_cpr(vf.pk, True, screen=IPAD, now=T0)
    vf.refresh_from_db()
    assert vf.treatment["cpr"] == {"since": T0.isoformat()}
    errors = refused(lambda: treatment.set_cpr(vf.pk, True, now=T0))
    assert errors == {"on": "Compressions are already on."}
    treatment.set_cpr(vf.pk, False, now=T0 + seconds(120))
    vf.refresh_from_db()
    assert vf.treatment == {}


def test_the_snapshot_carries_the_device_and_the_treatment(vf):
    treatment.set_cpr(vf.pk, True, now=T0)
    vf.refresh_from_db()
    state = services.monitor_state(vf, now=T0 + seconds(1))
    assert state["defibrillator"]["mode"] == "manual"
    assert state["treatment"] == {"cpr": {"since": T0.isoformat()}}


# Over the sockets -----------------------------------------------------------------------

pytest_sockets = pytest.mark.django_db(transaction=True)


async def two_screens_and_the_trainer(trainer, **fields):
    session = await sync_to_async(manual)(trainer, **fields)
    # Sessions made at T0 have ended by now: move them to the present.
    await sync_to_async(Session.objects.filter(pk=session.pk).update)(
        created_at=T0.now(datetime.UTC), expires_at=T0.now(datetime.UTC) + seconds(3600)
    )
    screens = [screen(session.code), screen(session.code)]
    for watcher in screens:
        assert (await watcher.connect())[0]
        assert (await receive(watcher))["type"] == "snapshot"
    trainer_page = await control(session, trainer)
    assert (await trainer_page.connect())[0]
    return session, screens, trainer_page


@pytest_sockets
async def test_a_screen_charges_and_every_screen_and_the_trainer_see_it(alice):
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice)
    await send(bed, {"type": "charge", "joules": 200, "sync": False})
    for watcher in (bed, wall):
        message = await receive_type(watcher, "treatment")
        assert message["kind"] == "charged"
        assert message["treatment"]["charge"]["joules"] == 200
    relayed = await receive_type(trainer, "treatment")
    assert "Charged" in relayed["html"]["event_row"]
    await disconnect_all(bed, wall, trainer)


@pytest_sockets
async def test_a_refused_shock_is_told_to_the_screen_that_pressed_it_only(alice):
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice)
    await send(bed, {"type": "shock"})
    error = await receive_type(bed, "error")
    assert error == {
        "type": "error",
        "action": "shock",
        "errors": {"charge": "Charge first: the defibrillator is not charged."},
    }
    assert await wall.receive_nothing(timeout=0.3)
    await disconnect_all(bed, wall, trainer)


@pytest_sockets
async def test_a_screen_cannot_change_the_patient_nor_the_device(alice):
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice)
    await send(bed, {"type": "set_vitals", "values": AT_REST})
    await send(bed, {"type": "set_defibrillator", "mode": "off"})
    assert await wall.receive_nothing(timeout=0.3)
    count = await sync_to_async(SessionEvent.objects.filter(session=session).count)()
    assert count == 0
    # Nor can the trainer shock in the trainee's place.
    await send(trainer, {"type": "shock", "request_id": 1})
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"type": "Unknown message type: shock."}
    await disconnect_all(bed, wall, trainer)


@pytest_sockets
async def test_the_step_a_shock_triggers_reaches_the_screens(alice):
    steps = [
        {"values": VF, "transition_seconds": 0, "note": "", "on_shock": {**RULE, "after_seconds": 0}},
        {"values": SINUS_ROSC, "transition_seconds": 0, "note": ""},
    ]
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice, steps=steps, current_step=0)
    # Charged already, so the test need not wait for the capacitor.
    ready = {"joules": 200, "sync": False, "ready_at": T0.isoformat(), "disarm_at": "2999-01-01T00:00:00+00:00"}
    await sync_to_async(Session.objects.filter(pk=session.pk).update)(treatment={"charge": ready})
    await send(bed, {"type": "shock"})
    shocked = await receive_type(wall, "treatment")
    assert shocked["kind"] == "shock"
    assert shocked["detail"]["goes_to_step"] == 1
    step = await receive_type(wall, "vitals")
    assert (step["step"], step["values"]["heart_rate"]) == (1, 110)
    await disconnect_all(bed, wall, trainer)


# The debrief ------------------------------------------------------------------------------


def test_the_debrief_lists_plots_and_exports_what_the_trainee_did(alice, alice_client):
    from django.urls import reverse

    session = manual(alice, created_at=T0)
    treatment.set_cpr(session.pk, True, screen=IPAD, now=T0 + seconds(10))
    treatment.charge(session.pk, 200, screen=IPAD, now=T0 + seconds(60))
    treatment.shock(session.pk, screen=IPAD, now=T0 + seconds(70))
    treatment.set_cpr(session.pk, False, now=T0 + seconds(130))
    page = alice_client.get(reverse("sessions:debrief", args=[session.pk])).content.decode()
    assert "Shock: 200 J, on Ventricular fibrillation, during compressions, from Bed 3 (iPad · Safari)" in page
    assert 'class="shock-mark"' in page and 'class="cpr-period"' in page
    french = alice_client.get(reverse("sessions:debrief", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Choc : 200 J, sur " in french.content.decode()
    csv_text = alice_client.get(reverse("sessions:export", args=[session.pk])).getvalue().decode()
    shock_row = next(line for line in csv_text.splitlines() if ",shock," in line)
    assert shock_row.endswith(',"{""by_trainer"":false,""cpr"":true,""joules"":200,""mode"":""manual"",""rhythm"":""ventricular_fibrillation"",""screen"":{""browser"":""Safari"",""device"":""ipad"",""id"":""a1b2c3"",""name"":""Bed 3""},""sync"":false}",,,,Screen “Bed 3”')  # then the result's three columns, empty, and who


# What the review found ----------------------------------------------------------------------


def test_a_pacer_says_it_captures_only_when_the_screens_draw_capture(vf):
    # Fibrillating ventricles are never captured, whatever the current.
    change = treatment.set_pacer(vf.pk, {"on": True, "rate": 70, "ma": 150, "mode": "fixed"}, now=T0)
    assert change.event.detail["captured"] is False
    fast_sinus = manual(vf.trainer, values={**AT_REST, "heart_rate": 110}, code="FST234")
    # A demand pacer the patient's own faster rhythm inhibits does not capture either.
    change = treatment.set_pacer(fast_sinus.pk, {"on": True, "rate": 70, "ma": 150, "mode": "demand"}, now=T0)
    assert change.event.detail["captured"] is False


def test_a_quality_that_is_not_a_word_is_refused(alice):
    session = make_session(alice, now=T0, last_values=AT_REST)
    errors = refused(lambda: treatment.set_defibrillator(session.pk, {"cpr_quality": ["good"]}, trainer=alice, now=T0))
    assert errors == {"cpr_quality": "Choose good, fair or poor CPR."}


def test_a_new_mode_forgets_the_old_devices_shock(vf):
    treatment.charge(vf.pk, 200, now=T0)
    treatment.shock(vf.pk, now=T0 + seconds(rules.charge_seconds(200)))
    treatment.set_defibrillator(vf.pk, {"mode": "aed"}, trainer=vf.trainer, now=T0 + seconds(10))
    vf.refresh_from_db()
    assert "last_shock" not in vf.treatment


@pytest_sockets
async def test_an_image_is_not_sent_over_the_live_link(alice):
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice)
    await send(trainer, {"type": "send_image", "image": "x", "request_id": 7})
    error = await receive_type(trainer, "error")
    assert error["errors"] == {"type": "Send an image with its form: a file does not travel on the live link."}
    await disconnect_all(bed, wall, trainer)


@pytest_sockets
async def test_two_screens_charging_at_once_are_both_heard(alice):
    session, (bed, wall), trainer = await two_screens_and_the_trainer(alice)
    # Pressed together: the second is not taken for the first on its way to the database.
    await send(bed, {"type": "charge", "joules": 150})
    await send(wall, {"type": "charge", "joules": 200})
    energies = {(await receive_type(trainer, "treatment"))["detail"]["joules"] for _ in range(2)}
    assert energies == {150, 200}
    await disconnect_all(bed, wall, trainer)
