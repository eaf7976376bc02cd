import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment import expected
from simulator import vitals


class SessionTemplate(models.Model):
    """A scenario a trainer prepares: ordered steps of values, each with a note for the trainer.

    Without a trainer it is shipped with Shiller (sessions_app migration 0005): every trainer
    reads and duplicates it, nobody edits it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="session_templates",
        verbose_name=_("trainer"),
    )
    # Shared with a school: its library, which its trainers read and start, and its admins and
    # the template's author edit. None: the author's own (or, without a trainer, shipped).
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("school"),
    )
    # Counts the saves: a session records the version it was started from.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # The patient's age group a session started from this template gets (vitals.PROFILES).
    profile = models.CharField(
        _("patient"),
        max_length=10,
        choices=[(name, profile["label"]) for name, profile in vitals.PROFILES.items()],
        default=vitals.DEFAULT_PROFILE,
    )
    # What the scenario expects of the trainee whatever the step, and the points each outcome
    # scores (assessment/expected.py gives both shapes).
    expected_actions = models.JSONField(_("expected actions"), default=list, blank=True)
    scoring = models.JSONField(_("scoring"), default=expected.default_scoring)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        # The tables kept the names they had in sessions_app (library migration 0001).
        db_table = "session_templates"
        ordering = ["name", "created_at"]
        verbose_name = _("scenario template")
        verbose_name_plural = _("scenario templates")

    def __str__(self):
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.trainer_id is None

    def shipped_text(self, text: str) -> str:
        """`text` in the active language when this template is shipped; as typed otherwise.

        Shipped templates are stored in English and marked for translation in sessions_app
        migration 0005. A trainer's own text is never looked up, even when it matches a
        catalogue entry.
        """
        # gettext("") would return the catalogue's header.
        return gettext(text) if self.is_shipped and text else text

    @property
    def display_name(self) -> str:
        return self.shipped_text(self.name)

    @property
    def display_description(self) -> str:
        return self.shipped_text(self.description)


class TemplateStep(models.Model):
    template = models.ForeignKey(
        SessionTemplate, on_delete=models.CASCADE, related_name="steps", verbose_name=_("template")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # Every vital and flag, as vitals.validate() returns them (library.services saves them).
    values = models.JSONField(_("values"))
    transition_seconds = models.PositiveIntegerField(_("transition (s)"), default=0)
    note = models.TextField(_("note for the trainer"), blank=True)
    # What a shock does at this step: {"min_joules", "sync" (None: either), "go_to" (a step's
    # index), "after_seconds"}; None: the trainer decides (sessions_app/treatment.py).
    on_shock = models.JSONField(_("on a shock"), null=True, blank=True)
    # Results sent to the bedside with the step: text kinds only, each as sessions_app/results.py
    # returns it ({"kind", "title", "rows", "comment"}).
    results = models.JSONField(_("results"), default=list, blank=True)
    # What the trainee is expected to do once the step is applied (assessment/expected.py).
    expected_actions = models.JSONField(_("expected actions"), default=list, blank=True)

    class Meta:
        db_table = "session_template_steps"
        ordering = ["template", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="session_template_steps_position_unique"
            )
        ]

    def __str__(self):
        return f"{self.template} #{self.position + 1}"

    @property
    def display_note(self) -> str:
        return self.template.shipped_text(self.note)

    def as_snapshot(self) -> dict:
        """What a session copies of the step when it starts (Session.steps)."""
        return {
            "values": self.values,
            "transition_seconds": self.transition_seconds,
            "note": self.note,
            "on_shock": self.on_shock,
            # A shipped template's texts are shown translated (SessionResult.shipped_text).
            "results": [
                {**result, "shipped_text": self.template.is_shipped} for result in self.results
            ],
            "expected_actions": self.expected_actions,
        }

    def display_results(self) -> list[dict]:
        """The results as a trainer reads them here: a shipped template's texts translated."""
        translate = self.template.shipped_text
        return [
            {
                **result,
                "title": translate(result["title"]),
                "comment": translate(result["comment"]),
                "rows": [
                    {**row, "name": translate(row["name"])} if "name" in row else row
                    for row in result["rows"]
                ],
            }
            for result in self.results
        ]
