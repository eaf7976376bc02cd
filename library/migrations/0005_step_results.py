"""Template steps carry results sent to the bedside (issue 16), and the five shipped templates
get theirs: a lactate in septic shock, a tryptase in anaphylaxis, and so on.

Frozen like sessions_app migration 0005: the results are
written out here (the blood gas's units, reference ranges and decimals copied from
sessions_app/results.py as it is now), set by the templates' fixed ids and step positions.
Titles, comments and row names are stored in English and marked with gettext_noop; the pages
translate them for shipped templates only (SessionResult.shipped_text, SessionTemplate.shipped_text).
"""

import uuid

from django.db import migrations, models
from django.utils.translation import gettext_noop

# analyte: (unit, low, high, decimals), as sessions_app/results.py.ANALYTES has them.
ANALYTES = {
    "ph": ("", 7.35, 7.45, 2),
    "pco2": ("mmHg", 35, 45, 0),
    "po2": ("mmHg", 80, 100, 0),
    "hco3": ("mmol/L", 22, 26, 1),
    "base_excess": ("mmol/L", -2, 2, 1),
    "lactate": ("mmol/L", 0.5, 2.0, 1),
    "sodium": ("mmol/L", 135, 145, 0),
    "potassium": ("mmol/L", 3.5, 5.0, 1),
    "glucose": ("mmol/L", 3.9, 7.8, 1),
    "hemoglobin": ("g/L", 123, 170, 0),
}


def _flag(value, low, high):
    if not isinstance(value, int | float):
        return ""
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return ""


def _row(analyte, value):
    unit, low, high, decimals = ANALYTES[analyte]
    return {
        "analyte": analyte,
        "value": value,
        "decimals": decimals,
        "unit": unit,
        "low": low,
        "high": high,
        "flag": _flag(value, low, high),
    }


def _gas(title="", comment="", **values):
    rows = [_row(analyte, values[analyte]) for analyte in ANALYTES if analyte in values]
    return {"kind": "blood_gas", "title": title, "rows": rows, "comment": comment}


def _glucose(value, comment=""):
    return {"kind": "glucose", "title": "", "rows": [_row("glucose", value)], "comment": comment}


def _lab(title, rows, comment=""):
    """rows: (name, value, decimals, unit, low, high)."""
    return {
        "kind": "lab_panel",
        "title": title,
        "rows": [
            {
                "name": name,
                "value": value,
                "decimals": decimals,
                "unit": unit,
                "low": low,
                "high": high,
                "range_decimals": decimals,
                "flag": _flag(value, low, high),
            }
            for name, value, decimals, unit, low, high in rows
        ],
        "comment": comment,
    }


SEPTIC_SHOCK = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000001")
ANAPHYLAXIS = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000002")
HAEMORRHAGE = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000003")
OPIOIDS = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000004")
VF_ARREST = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000005")

# (template, step position): its results.
RESULTS = {
    (SEPTIC_SHOCK, 0): [
        _gas(
            gettext_noop("Venous blood gas"),
            ph=7.33, pco2=33, hco3=19.0, base_excess=-5.0, lactate=3.1, sodium=136,
            potassium=4.1, glucose=8.4, hemoglobin=128,
        ),
        _lab(
            gettext_noop("Bloods"),
            [
                (gettext_noop("CRP"), 212, 0, "mg/L", None, 5),
                (gettext_noop("White cells"), 18.4, 1, "×10⁹/L", 4.0, 11.0),
                (gettext_noop("Creatinine"), 142, 0, "µmol/L", 60, 120),
            ],
            gettext_noop("Blood cultures sent, two sets."),
        ),
    ],
    (SEPTIC_SHOCK, 1): [
        _gas(
            gettext_noop("Arterial blood gas on 4 L/min oxygen"),
            ph=7.28, pco2=30, po2=72, hco3=15.2, base_excess=-9.5, lactate=4.8, sodium=134,
            potassium=4.6, glucose=9.1, hemoglobin=118,
        ),
    ],
    (SEPTIC_SHOCK, 3): [
        _gas(
            gettext_noop("Repeat lactate"),
            ph=7.34, hco3=19.5, base_excess=-5.0, lactate=2.9,
        ),
    ],
    (ANAPHYLAXIS, 2): [
        _gas(
            gettext_noop("Arterial blood gas on 15 L/min oxygen"),
            ph=7.31, pco2=34, po2=64, hco3=17.8, base_excess=-7.0, lactate=3.4, potassium=3.6,
        ),
    ],
    (ANAPHYLAXIS, 3): [
        # Resuscitation Council UK, Emergency treatment of anaphylaxis (2021): mast cell
        # tryptase as soon as possible after resuscitation, again 1-2 hours after the onset,
        # and after 24 hours (the patient's baseline).
        _lab(
            gettext_noop("Mast cell tryptase"),
            [],
            gettext_noop(
                "First tryptase sample sent. Take the second 1-2 hours after the onset of the "
                "reaction, the third after 24 hours."
            ),
        ),
    ],
    (ANAPHYLAXIS, 4): [
        # Upper reference limit 11.4 µg/L (ImmunoCAP tryptase, the assay most labs run).
        _lab(
            gettext_noop("Mast cell tryptase"),
            [(gettext_noop("Tryptase (1 h)"), 38.2, 1, "µg/L", None, 11.4)],
            gettext_noop("Raised: consistent with anaphylaxis. Refer to an allergy clinic."),
        ),
    ],
    (HAEMORRHAGE, 1): [
        _gas(
            gettext_noop("Venous blood gas"),
            ph=7.26, pco2=34, hco3=15.0, base_excess=-8.5, lactate=5.6, potassium=4.4,
            glucose=9.6, hemoglobin=78,
        ),
    ],
    (HAEMORRHAGE, 3): [
        _gas(
            gettext_noop("After 4 units of red cells"),
            ph=7.31, base_excess=-5.5, lactate=3.2, potassium=4.9, hemoglobin=92,
        ),
        _lab(
            gettext_noop("Coagulation"),
            [
                (gettext_noop("Fibrinogen"), 1.2, 1, "g/L", 2.0, 4.0),
                (gettext_noop("INR"), 1.6, 1, "", 0.8, 1.2),
                (gettext_noop("Platelets"), 96, 0, "×10⁹/L", 150, 400),
            ],
            gettext_noop("Fibrinogen below 1.5 g/L: give cryoprecipitate or fibrinogen concentrate."),
        ),
    ],
    (OPIOIDS, 0): [
        _glucose(5.8, gettext_noop("Not hypoglycaemic: look for another cause of the coma.")),
    ],
    (OPIOIDS, 1): [
        _gas(
            gettext_noop("Arterial blood gas on air"),
            ph=7.18, pco2=74, po2=52, hco3=26.5, base_excess=0.5, lactate=1.9, potassium=4.0,
        ),
    ],
    (VF_ARREST, 2): [
        # The 4 Hs: potassium, glucose and the acid-base state during CPR.
        _gas(
            gettext_noop("Arterial blood gas during CPR"),
            ph=7.05, pco2=58, po2=82, hco3=15.6, base_excess=-14.0, lactate=9.2, sodium=139,
            potassium=4.2, glucose=11.2, hemoglobin=131,
        ),
    ],
    (VF_ARREST, 3): [
        # High-sensitivity troponin T: 99th centile 14 ng/L (Roche Elecsys hs-cTnT).
        _lab(
            gettext_noop("Cardiac markers"),
            [(gettext_noop("hs-Troponin T"), 86, 0, "ng/L", None, 14)],
        ),
    ],
}  # fmt: skip


def add_results(apps, schema_editor):
    TemplateStep = apps.get_model("library", "TemplateStep")
    for (template_id, position), results in RESULTS.items():
        TemplateStep.objects.filter(template_id=template_id, position=position).update(
            results=results
        )


def remove_results(apps, schema_editor):
    TemplateStep = apps.get_model("library", "TemplateStep")
    TemplateStep.objects.filter(template_id__in={t for t, _ in RESULTS}).update(results=[])


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0004_step_on_shock"),
    ]

    operations = [
        migrations.AddField(
            model_name="templatestep",
            name="results",
            field=models.JSONField(blank=True, default=list, verbose_name="results"),
        ),
        migrations.RunPython(add_results, remove_results),
    ]
