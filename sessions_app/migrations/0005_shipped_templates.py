"""The five scenario templates shipped with Shiller: adult cases, documented in the README.

The data is copied here, not imported from the app, so that the migration is frozen: it
writes the same rows whenever it runs, on a fresh database or an old one. To change a shipped
template, write a new migration that updates these rows by their fixed ids.

Shipped templates have no trainer: every trainer reads and duplicates them, nobody edits them.

The names, descriptions and notes are stored in English. gettext_noop only marks them for
makemessages (it returns its argument untouched, so the rows are the same); the pages translate
them when shown (SessionTemplate.display_name and friends), for shipped templates only.
A % in a note is a percentage: `# xgettext:no-python-format` keeps xgettext from taking
"% l" for a placeholder that the translation would then have to repeat.
"""

import uuid

from django.db import migrations
from django.utils.translation import gettext_noop


def _values(
    systolic, diastolic, heart_rate, spo2, respiratory_rate, etco2, temperature, rhythm, alarm=False
):
    return {
        "systolic": systolic,
        "diastolic": diastolic,
        "heart_rate": heart_rate,
        "spo2": spo2,
        "respiratory_rate": respiratory_rate,
        "etco2": etco2,
        "temperature": temperature,
        "flags": {"rhythm": rhythm, "alarm": alarm, "spo2_probe_off": False, "hidden": []},
    }


# (id, name, description, [(values, transition_seconds, note), ...])
SHIPPED = [
    (
        uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000001"),
        gettext_noop("Septic shock"),
        gettext_noop(
            "A 68-year-old with pneumonia, febrile and tachycardic, who becomes hypotensive "
            "despite fluids and needs noradrenaline."
        ),
        [
            (
                _values(104, 62, 112, 95, 24, 32, 38.9, "sinus_tachycardia"),
                0,
                gettext_noop(
                    "Sepsis: fever, tachycardia, tachypnoea, warm peripheries. Expect ABCDE, "
                    "oxygen, blood cultures, lactate, antibiotics within the hour and a 500 mL "
                    "crystalloid bolus."
                ),
            ),
            (
                _values(82, 44, 128, 93, 28, 28, 39.4, "sinus_tachycardia"),
                180,
                gettext_noop(
                    "Septic shock: MAP 57 despite the first bolus. Expect further boluses (up to "
                    "30 mL/kg), a call to the senior and ICU, a catheter for urine output."
                ),
            ),
            (
                _values(76, 38, 136, 91, 30, 26, 39.6, "sinus_tachycardia"),
                120,
                gettext_noop(
                    "Fluid-refractory: still MAP < 65 after 2 L. Expect noradrenaline started "
                    "(peripherally if need be), an arterial line, high-flow oxygen."
                ),
            ),
            (
                _values(100, 56, 114, 95, 24, 31, 39.0, "sinus_tachycardia"),
                300,
                gettext_noop(
                    "On noradrenaline 0.1 µg/kg/min: MAP 71. Titrate to MAP ≥ 65; check that "
                    "antibiotics were given and repeat the lactate."
                ),
            ),
            (
                _values(112, 64, 98, 96, 20, 34, 38.2, "sinus"),
                600,
                gettext_noop(
                    "Stabilising: transfer to ICU. Debrief on the time to antibiotics and to "
                    "vasopressors."
                ),
            ),
        ],
    ),
    (
        uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000002"),
        gettext_noop("Anaphylaxis"),
        gettext_noop(
            "A 45-year-old receiving an intravenous antibiotic develops urticaria, bronchospasm "
            "and shock; responds to IM adrenaline and fluids."
        ),
        [
            (
                _values(128, 78, 82, 98, 14, 37, 36.8, "sinus"),
                0,
                gettext_noop(
                    "Baseline: the antibiotic infusion has just started. Normal observations."
                ),
            ),
            (
                _values(96, 54, 124, 93, 26, 33, 36.9, "sinus_tachycardia"),
                60,
                gettext_noop(
                    "Onset: flushing, urticaria, lip swelling, wheeze. Expect the infusion "
                    "stopped, a call for help, and adrenaline 0.5 mg IM (0.5 mL of 1 mg/mL) in the "
                    "thigh."
                ),
            ),
            (
                _values(68, 32, 142, 86, 32, 28, 36.9, "sinus_tachycardia"),
                60,
                gettext_noop(
                    "Worsening (or no adrenaline yet): stridor, severe bronchospasm, shock. Expect "
                    "high-flow oxygen, a 500-1000 mL crystalloid bolus, adrenaline IM repeated "
                    "after 5 min, an airway expert called."
                ),
            ),
            (
                _values(102, 60, 112, 95, 22, 34, 36.9, "sinus_tachycardia"),
                180,
                gettext_noop(
                    "Responding after the second dose of adrenaline and fluids. If not, an "
                    "adrenaline infusion with expert help. Take mast cell tryptase samples."
                ),
            ),
            (
                _values(118, 72, 94, 98, 16, 37, 36.8, "sinus"),
                300,
                gettext_noop(
                    "Stable: observe for a biphasic reaction (6-12 h), record the allergy, refer "
                    "to an allergy clinic, give an adrenaline auto-injector."
                ),
            ),
        ],
    ),
    (
        uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000003"),
        gettext_noop("Haemorrhagic shock"),
        gettext_noop(
            "A 30-year-old after a road traffic collision with a pelvic fracture, bleeding through "
            "the ATLS classes of shock until transfusion and haemorrhage control."
        ),
        [
            (
                _values(118, 88, 108, 97, 22, 35, 36.4, "sinus_tachycardia"),
                0,
                gettext_noop(
                    # xgettext:no-python-format
                    "Class II (15-30 % loss): blood pressure kept up, narrow pulse pressure, "
                    "anxious. Expect a pelvic binder, two large-bore cannulas, blood for "
                    "cross-match, tranexamic acid 1 g."
                ),
            ),
            (
                _values(86, 60, 128, 95, 28, 30, 36.0, "sinus_tachycardia"),
                120,
                gettext_noop(
                    # xgettext:no-python-format
                    "Class III (30-40 %): hypotensive, confused. Expect the major haemorrhage "
                    "protocol activated, blood and plasma 1:1, permissive hypotension (systolic "
                    "about 90), a call to the surgeons."
                ),
            ),
            (
                _values(68, 44, 146, 92, 34, 24, 35.6, "sinus_tachycardia"),
                120,
                gettext_noop(
                    # xgettext:no-python-format
                    "Class IV (> 40 %): peri-arrest, low EtCO2 from low cardiac output. Expect "
                    "immediate blood, warming, calcium, and the patient taken to theatre or "
                    "interventional radiology."
                ),
            ),
            (
                _values(94, 62, 116, 96, 24, 31, 35.8, "sinus_tachycardia"),
                300,
                gettext_noop(
                    "After 4 units of red cells and 4 of plasma: the permissive target is reached. "
                    "Keep transfusing to the bleeding, not to the numbers; check fibrinogen."
                ),
            ),
            (
                _values(110, 70, 98, 98, 18, 35, 36.2, "sinus"),
                600,
                gettext_noop(
                    "Bleeding controlled. Correct hypothermia, acidosis and coagulopathy; debrief "
                    "on the time to the first unit of blood."
                ),
            ),
        ],
    ),
    (
        uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000004"),
        gettext_noop("Opioid overdose"),
        gettext_noop(
            "A 25-year-old found drowsy with pinpoint pupils and slow breathing; ventilation, "
            "naloxone, then re-sedation when the naloxone wears off."
        ),
        [
            (
                _values(108, 66, 58, 86, 6, 58, 36.0, "sinus_bradycardia"),
                0,
                gettext_noop(
                    "Drowsy (GCS 8), pinpoint pupils, 6 breaths a minute, hypercapnia. Expect "
                    "airway opening, bag-valve-mask ventilation with oxygen, naloxone prepared."
                ),
            ),
            (
                _values(96, 58, 52, 74, 4, 68, 36.0, "sinus_bradycardia"),
                60,
                gettext_noop(
                    "If nobody ventilates: hypoxia deepens. Expect naloxone 400 µg IV (or 800 µg "
                    "IM), repeated every 2-3 min."
                ),
            ),
            (
                _values(112, 70, 72, 94, 12, 45, 36.0, "sinus"),
                60,
                gettext_noop(
                    "Ventilated with bag and mask: oxygenation improves, EtCO2 falls. Naloxone in "
                    "small doses to breathing, not to full waking."
                ),
            ),
            (
                _values(134, 82, 96, 97, 16, 39, 36.1, "sinus"),
                30,
                gettext_noop(
                    "Naloxone works within 1-2 min: awake, maybe agitated and in withdrawal."
                ),
            ),
            (
                _values(114, 70, 64, 90, 8, 52, 36.1, "sinus"),
                300,
                gettext_noop(
                    "Re-sedation: naloxone (30-90 min) wears off before a long-acting opioid. "
                    "Expect a repeat dose or an infusion, and at least 6 hours of observation."
                ),
            ),
        ],
    ),
    (
        uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000005"),
        gettext_noop("Ventricular fibrillation arrest"),
        gettext_noop(
            "A 58-year-old with chest pain who arrests in VF; shockable-rhythm ALS algorithm to "
            "the return of spontaneous circulation."
        ),
        [
            (
                _values(96, 60, 118, 94, 22, 34, 36.7, "sinus_tachycardia"),
                0,
                gettext_noop(
                    # xgettext:no-python-format
                    "Central chest pain, sweaty, grey. Expect a 12-lead ECG, aspirin, oxygen if "
                    "SpO2 < 94 %, a call to cardiology, defibrillator pads on."
                ),
            ),
            (
                _values(0, 0, 0, 0, 0, 0, 36.7, "ventricular_fibrillation", alarm=True),
                0,
                gettext_noop(
                    "VF: unresponsive, not breathing normally. Expect the arrest call, CPR "
                    "30:2, and a shock (150-200 J biphasic) as soon as the defibrillator is there."
                ),
            ),
            (
                _values(0, 0, 0, 0, 10, 16, 36.7, "ventricular_fibrillation", alarm=True),
                0,
                gettext_noop(
                    "Still VF after the shocks; CPR with 10 breaths a minute, EtCO2 10-20 shows "
                    "good compressions. After the 3rd shock: give 1 mg adrenaline IV and "
                    "amiodarone 300 mg IV; look for reversible causes (4 Hs and 4 Ts)."
                ),
            ),
            (
                _values(88, 52, 112, 92, 12, 42, 36.6, "sinus_tachycardia"),
                0,
                gettext_noop(
                    # xgettext:no-python-format
                    "ROSC after the 4th shock: EtCO2 jumps, a pulse returns. Expect ABCDE, SpO2 "
                    "94-98 %, systolic > 100, a 12-lead ECG."
                ),
            ),
            (
                _values(112, 68, 96, 96, 14, 38, 36.3, "sinus"),
                300,
                gettext_noop(
                    "Post-resuscitation care: coronary angiography if STEMI, avoid fever, "
                    "ventilate to normal CO2."
                ),
            ),
        ],
    ),
]


def create_shipped_templates(apps, schema_editor):
    SessionTemplate = apps.get_model("sessions_app", "SessionTemplate")
    TemplateStep = apps.get_model("sessions_app", "TemplateStep")
    for pk, name, description, steps in SHIPPED:
        template, _created = SessionTemplate.objects.update_or_create(
            pk=pk, defaults={"trainer": None, "name": name, "description": description}
        )
        TemplateStep.objects.filter(template=template).delete()
        TemplateStep.objects.bulk_create(
            TemplateStep(
                template=template,
                position=position,
                values=values,
                transition_seconds=seconds,
                note=note,
            )
            for position, (values, seconds, note) in enumerate(steps)
        )


def delete_shipped_templates(apps, schema_editor):
    SessionTemplate = apps.get_model("sessions_app", "SessionTemplate")
    SessionTemplate.objects.filter(pk__in=[pk for pk, *_rest in SHIPPED]).delete()


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0004_session_templates")]

    operations = [migrations.RunPython(create_shipped_templates, delete_shipped_templates)]
