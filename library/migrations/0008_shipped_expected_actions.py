"""The five shipped templates' expected actions and scoring (issue 18): what the trainee should do
at each step and when, from the guidelines each case follows.

Frozen like sessions_app migration 0005: the actions are written out here in their full shape
(assessment/expected.py as it is now) and set by the templates' fixed ids and step positions.
Names are stored in English and marked with gettext_noop; the pages translate them for shipped
templates only (assessment.expected.display_name with SessionTemplate.shipped_text).
Target times count from the step's start ("step"), the scenario's ("scenario": its first step
applied) or the nth shock ("shock").
"""

import uuid

from django.db import migrations
from django.utils.translation import gettext_noop

SEPTIC_SHOCK = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000001")
ANAPHYLAXIS = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000002")
HAEMORRHAGE = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000003")
OPIOID = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000004")
VF_ARREST = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000005")

MINUTE = 60
SCORING = {"on_time": 2, "late": 1, "missed": 0, "critical_missed": -5, "pass_percent": 70}


def _act(key, name, target=None, *, anchor="step", shock=None, critical=False, recognise=None):
    return {
        "key": key,
        "name": name,
        "from": anchor,
        "shock_number": shock,
        "target_seconds": target,
        "critical": critical,
        "recognise": recognise,
    }


# template id: (scenario's actions, {step position: actions}, scoring)
EXPECTED = {
    # Surviving Sepsis Campaign hour-1 bundle (Levy, Evans, Rhodes, Crit Care Med 2018;
    # guidelines 2021): lactate, blood cultures before antibiotics, broad-spectrum antibiotics
    # and 30 mL/kg crystalloid for hypotension within the hour of recognition; vasopressors
    # (noradrenaline first) if hypotensive during or after fluids, to a MAP >= 65 mmHg.
    SEPTIC_SHOCK: (
        [
            _act("cuff", gettext_noop("First blood pressure measured"), 5 * MINUTE,
                 anchor="scenario", recognise="first_nibp"),
        ],
        {
            0: [
                _act("oxygen", gettext_noop("Oxygen"), 5 * MINUTE),
                _act("cultures", gettext_noop("Blood cultures"), 60 * MINUTE, critical=True),
                _act("lactate", gettext_noop("Lactate measured"), 60 * MINUTE),
                _act("antibiotics", gettext_noop("Broad-spectrum antibiotics"), 60 * MINUTE,
                     critical=True),
                _act("bolus", gettext_noop("Crystalloid bolus 500 mL"), 30 * MINUTE),
            ],
            1: [
                _act("senior", gettext_noop("Senior and ICU called"), 10 * MINUTE),
                _act("catheter", gettext_noop("Urinary catheter for urine output")),
            ],
            2: [
                _act("noradrenaline", gettext_noop("Noradrenaline started"), 10 * MINUTE,
                     critical=True),
                _act("artline", gettext_noop("Arterial line")),
            ],
            3: [_act("relactate", gettext_noop("Lactate repeated"))],
        },
        SCORING,
    ),
    # Resuscitation Council UK, Emergency treatment of anaphylaxis (2021): stop the trigger,
    # call for help, IM adrenaline 0.5 mg (0.5 mL of 1 mg/mL) in the anterolateral thigh as soon
    # as it is recognised, repeated after 5 min if no better; high-flow oxygen, a 500-1000 mL
    # crystalloid bolus; mast cell tryptase samples.
    ANAPHYLAXIS: (
        [
            _act("cuff", gettext_noop("First blood pressure measured"), 5 * MINUTE,
                 anchor="scenario", recognise="first_nibp"),
        ],
        {
            1: [
                _act("stop", gettext_noop("Antibiotic infusion stopped"), 1 * MINUTE,
                     critical=True),
                _act("help", gettext_noop("Call for help"), 2 * MINUTE),
                _act("adrenaline", gettext_noop("IM adrenaline 0.5 mg"), 3 * MINUTE,
                     critical=True),
            ],
            2: [
                _act("oxygen", gettext_noop("High-flow oxygen"), 2 * MINUTE),
                _act("bolus", gettext_noop("Crystalloid bolus 500-1000 mL"), 5 * MINUTE),
                _act("adrenaline2", gettext_noop("IM adrenaline repeated"), 10 * MINUTE,
                     critical=True),
                _act("airway", gettext_noop("Airway expert called"), 5 * MINUTE),
            ],
            3: [_act("tryptase", gettext_noop("Mast cell tryptase sample"))],
        },
        SCORING,
    ),
    # ATLS (10th edition) and the major haemorrhage guidance of the BSH (2015) / NICE NG39:
    # pelvic binder, two large-bore cannulas, the major haemorrhage protocol, red cells and
    # plasma 1:1, calcium, warming, control of the bleeding. Tranexamic acid 1 g IV as early as
    # possible and within 3 hours, most benefit within the first (CRASH-2, Lancet 2010 and 2011).
    HAEMORRHAGE: (
        [
            _act("txa", gettext_noop("Tranexamic acid 1 g IV"), 60 * MINUTE,
                 anchor="scenario", critical=True),
            _act("cuff", gettext_noop("First blood pressure measured"), 5 * MINUTE,
                 anchor="scenario", recognise="first_nibp"),
        ],
        {
            0: [
                _act("binder", gettext_noop("Pelvic binder"), 5 * MINUTE, critical=True),
                _act("cannulas", gettext_noop("Two large-bore cannulas"), 5 * MINUTE),
                _act("crossmatch", gettext_noop("Blood sent for cross-match"), 10 * MINUTE),
            ],
            1: [
                _act("mhp", gettext_noop("Major haemorrhage protocol activated"), 5 * MINUTE,
                     critical=True),
                _act("blood", gettext_noop("Red cells and plasma 1:1"), 10 * MINUTE,
                     critical=True),
                _act("surgeons", gettext_noop("Surgeons called"), 5 * MINUTE),
            ],
            2: [
                _act("calcium", gettext_noop("Calcium given"), 10 * MINUTE),
                _act("warming", gettext_noop("Patient and fluids warmed")),
                _act("theatre", gettext_noop("To theatre or interventional radiology"),
                     15 * MINUTE, critical=True),
            ],
        },
        SCORING,
    ),
    # ERC Guidelines 2021, Cardiac arrest in special circumstances (poisoning) and Resuscitation
    # Council UK: open the airway and ventilate with oxygen first; then naloxone 400 micrograms
    # IV (or 800 micrograms IM), repeated, titrated to breathing; observe for re-sedation.
    OPIOID: (
        [
            _act("help", gettext_noop("Call for help"), 2 * MINUTE, anchor="scenario"),
            _act("glucose", gettext_noop("Capillary glucose checked"), 10 * MINUTE,
                 anchor="scenario"),
        ],
        {
            0: [
                _act("airway", gettext_noop("Airway opened"), 1 * MINUTE, critical=True),
                _act("bvm", gettext_noop("Bag-valve-mask ventilation with oxygen"), 2 * MINUTE,
                     critical=True),
                _act("naloxone", gettext_noop("Naloxone 400 µg IV or 800 µg IM"), 5 * MINUTE,
                     critical=True),
            ],
            4: [
                _act("renaloxone", gettext_noop("Naloxone repeated or an infusion"),
                     5 * MINUTE),
                _act("observe", gettext_noop("At least 6 hours of observation planned")),
            ],
        },
        SCORING,
    ),
    # Resuscitation Council UK / ERC Adult advanced life support 2021: CPR 30:2 at once, the first
    # shock as soon as possible; after the 3rd shock adrenaline 1 mg IV and amiodarone 300 mg IV
    # (adrenaline then every 3-5 min). Acute coronary syndrome before the arrest: a 12-lead ECG
    # within 10 minutes and aspirin (ESC 2023).
    VF_ARREST: (
        [
            _act("adrenaline", gettext_noop("Adrenaline 1 mg IV"), 2 * MINUTE,
                 anchor="shock", shock=3, critical=True),
            _act("amiodarone", gettext_noop("Amiodarone 300 mg IV"), 2 * MINUTE,
                 anchor="shock", shock=3, critical=True),
        ],
        {
            0: [
                _act("ecg", gettext_noop("12-lead ECG"), 10 * MINUTE),
                _act("aspirin", gettext_noop("Aspirin 300 mg"), 10 * MINUTE),
                _act("pads", gettext_noop("Defibrillator pads on"), 5 * MINUTE),
            ],
            1: [
                _act("arrestcall", gettext_noop("Cardiac arrest call"), 1 * MINUTE,
                     critical=True),
                _act("cpr", gettext_noop("CPR started"), 1 * MINUTE, critical=True,
                     recognise="cpr_started"),
                _act("shock1", gettext_noop("First shock"), 2 * MINUTE, critical=True,
                     recognise="first_shock"),
            ],
            2: [_act("causes", gettext_noop("Reversible causes sought (4 Hs and 4 Ts)"))],
            3: [
                _act("abcde", gettext_noop("ABCDE reassessment after ROSC"), 2 * MINUTE),
                _act("ecg2", gettext_noop("12-lead ECG after ROSC"), 10 * MINUTE),
            ],
        },
        {**SCORING, "pass_percent": 75},
    ),
}


def add_expected(apps, schema_editor):
    SessionTemplate = apps.get_model("library", "SessionTemplate")
    TemplateStep = apps.get_model("library", "TemplateStep")
    for pk, (scenario, steps, scoring) in EXPECTED.items():
        SessionTemplate.objects.filter(pk=pk).update(expected_actions=scenario, scoring=scoring)
        for position, actions in steps.items():
            TemplateStep.objects.filter(template_id=pk, position=position).update(
                expected_actions=actions
            )


def remove_expected(apps, schema_editor):
    SessionTemplate = apps.get_model("library", "SessionTemplate")
    TemplateStep = apps.get_model("library", "TemplateStep")
    SessionTemplate.objects.filter(pk__in=EXPECTED).update(expected_actions=[], scoring=SCORING)
    TemplateStep.objects.filter(template_id__in=EXPECTED).update(expected_actions=[])


class Migration(migrations.Migration):
    dependencies = [("library", "0007_expected_actions")]

    operations = [migrations.RunPython(add_expected, remove_expected)]
