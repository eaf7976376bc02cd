"""What a shock does at a step (issue 16), and the shipped VF arrest's: a shock of 150 J or more
in VF leads to "still VF" (the step with CPR's EtCO2), a shock there to the return of a pulse.

Frozen like migration 0003: the rows are found by their fixed template id and positions.
150 J is the lowest first biphasic energy the ERC 2021 ALS guidelines advise (150-200 J).
"""

import uuid

from django.db import migrations, models

VF_ARREST = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000005")
# position: the rule
RULES = {
    1: {"min_joules": 150, "sync": None, "go_to": 2, "after_seconds": 2},
    2: {"min_joules": 150, "sync": None, "go_to": 3, "after_seconds": 5},
}


def add_rules(apps, schema_editor):
    TemplateStep = apps.get_model("library", "TemplateStep")
    for step in TemplateStep.objects.filter(template_id=VF_ARREST, position__in=RULES):
        step.on_shock = RULES[step.position]
        step.save(update_fields=["on_shock"])


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_septic_shock_arterial_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="templatestep",
            name="on_shock",
            field=models.JSONField(blank=True, null=True, verbose_name="on a shock"),
        ),
        migrations.RunPython(add_rules, migrations.RunPython.noop),
    ]
