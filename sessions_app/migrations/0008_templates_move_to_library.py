"""The scenario templates now belong to the library app (library 0001): in Django's state only.

Session.template points at library.SessionTemplate, and sessions_app forgets the two models.
Their tables, rows and foreign keys stay as they are: no SQL runs.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0007_events_of_every_kind"),
        ("library", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="session",
                    name="template",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="sessions",
                        to="library.sessiontemplate",
                        verbose_name="template",
                    ),
                ),
                migrations.DeleteModel(name="TemplateStep"),
                migrations.DeleteModel(name="SessionTemplate"),
            ],
        )
    ]
