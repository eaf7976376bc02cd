import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import EventsAreFinal, Session


class LoggedAction(models.Model):
    """An action the faculty saw the trainee do, logged with one tap on the control page.

    Expected (`expected_key` names one of the session's expected actions) or not (free text).
    Like events, a row is written once: an undo is a new row that `undoes` the one it takes
    back. The trainee screens never hear of these.
    """

    MAX_NAME = 120

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="logged_actions")
    name = models.CharField(_("action"), max_length=MAX_NAME)
    # The expected action's key (assessment/expected.py); empty: an action nobody expected.
    expected_key = models.CharField(_("expected action"), max_length=16, blank=True)
    # The step current when it was logged (None before the first).
    step = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    undoes = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="undone_by",
        verbose_name=_("undoes"),
    )
    # RESTRICT, as for events: the audit trail keeps who logged it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta:
        db_table = "assessment_logged_actions"
        ordering = ["at"]
        verbose_name = _("logged action")
        verbose_name_plural = _("logged actions")
        indexes = [models.Index(fields=["session", "at"], name="logged_actions_session_at")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EventsAreFinal
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventsAreFinal


class LmsToken(models.Model):
    """A key a trainer gives the school's learning platform to fetch xAPI statements of the
    sessions they may see (assessment/lms.py). Shown once when made; only its SHA-256 is kept,
    and a revoked key stays as a row (when, by whom it was used) but opens nothing."""

    MAX_NAME = 60

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lms_tokens",
        verbose_name=_("trainer"),
    )
    name = models.CharField(_("name"), max_length=MAX_NAME)
    # Its first characters, so that the trainer can tell which key an LMS holds.
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "assessment_lms_tokens"
        ordering = ["-created_at"]
        verbose_name = _("LMS token")
        verbose_name_plural = _("LMS tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
