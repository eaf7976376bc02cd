"""The scenario templates move here from sessions_app: in Django's state only.

Their tables keep their names (session_templates, session_template_steps) and their rows: this
migration and sessions_app 0008, which forgets the two models and points Session.template here,
run no SQL. On a fresh database sessions_app 0004 creates the tables and 0005 fills in the
shipped templates, before this one runs.

A database migrated before the move keeps the content types sessions_app.sessiontemplate and
sessions_app.templatestep, unused (Shiller grants no model permissions):
`manage.py remove_stale_contenttypes` deletes them.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("sessions_app", "0007_events_of_every_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="SessionTemplate",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "trainer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="session_templates",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="trainer",
                    ),
                ),
            ],
            options={
                "verbose_name": "scenario template",
                "verbose_name_plural": "scenario templates",
                "db_table": "session_templates",
                "ordering": ["name", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="TemplateStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                ("values", models.JSONField(verbose_name="values")),
                (
                    "transition_seconds",
                    models.PositiveIntegerField(default=0, verbose_name="transition (s)"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note for the trainer")),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="library.sessiontemplate",
                        verbose_name="template",
                    ),
                ),
            ],
            options={
                "verbose_name": "step",
                "verbose_name_plural": "steps",
                "db_table": "session_template_steps",
                "ordering": ["template", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("template", "position"),
                        name="session_template_steps_position_unique",
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[], state_operations=state_operations
        )
    ]
