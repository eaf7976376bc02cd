import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sessions_app import results
from simulator import treatment, vitals


class SessionQuerySet(models.QuerySet):
    def open(self, now=None):
        return self.filter(closed_at__isnull=True, expires_at__gt=now or timezone.now())

    def expired_open(self, now=None):
        return self.filter(closed_at__isnull=True, expires_at__lte=now or timezone.now())

    def with_status(self, status: str, now=None):
        """Sessions in `status` (see Session.status for how closed and expired differ)."""
        now = now or timezone.now()
        if status == Session.OPEN:
            return self.open(now)
        if status == Session.CLOSED:
            return self.filter(closed_at__lt=models.F("expires_at"))
        return self.filter(
            models.Q(closed_at__isnull=True, expires_at__lte=now)
            | models.Q(closed_at__gte=models.F("expires_at"))
        )

    def with_event_count(self):
        """Changes of values only: cuff starts, limits and silences are events, not changes."""
        changes = models.Q(events__kind__in=SessionEvent.VALUE_KINDS)
        return self.annotate(event_count=models.Count("events", filter=changes))


class Session(models.Model):
    OPEN = "open"
    CLOSED = "closed"
    EXPIRED = "expired"
    # A context of their own: in French a closed session ("clôturée") and the field "closed"
    # ("clôturée le") differ.
    STATUS_LABELS = {
        OPEN: pgettext_lazy("session status", "open"),
        CLOSED: pgettext_lazy("session status", "closed"),
        EXPIRED: pgettext_lazy("session status", "expired"),
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    code = models.CharField(_("code"), max_length=6, unique=True)
    trainee_name = models.CharField(_("trainee"), max_length=100)
    # When anonymise_trainees blanked the name (sessions_app/privacy.py): pages then show
    # trainee_label, in their own language.
    trainee_anonymised_at = models.DateTimeField(_("trainee anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_values = models.JSONField(_("last values"), null=True, blank=True)
    # The trend in progress toward last_values: {"from": {...}, "started_at": ISO, "seconds": n},
    # or None when the last change was instant (see trends.py).
    trend = models.JSONField(_("trend"), null=True, blank=True)
    # The time of its newest event, which the next event's time never precedes: the order of
    # the events is the order their changes were stored in (services.apply_vitals).
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True, editable=False)
    alarm_limits = models.JSONField(_("alarm limits"), default=vitals.default_alarm_limits)
    # The patient's age group (vitals.PROFILES): its default values, alarm limits and presets.
    profile = models.CharField(
        _("patient"),
        max_length=10,
        choices=[(name, profile["label"]) for name, profile in vitals.PROFILES.items()],
        default=vitals.DEFAULT_PROFILE,
    )
    alarms_silenced_until = models.DateTimeField(_("alarms silenced until"), null=True, blank=True)
    # Paused: every screen holds the values of that moment; a trend cut short by the pause is
    # kept as {"to": {...}, "seconds": n left} and goes on from the held values on resume.
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    paused_trend = models.JSONField(_("trend held by the pause"), null=True, blank=True)
    # The cuff: a manual measurement's start, and the automatic cycle (0 = off) with its origin;
    # screens derive every automatic start from these, so no server timer is needed.
    nibp_started_at = models.DateTimeField(_("NIBP measurement started"), null=True, blank=True)
    nibp_interval_minutes = models.PositiveSmallIntegerField(
        _("NIBP interval (minutes)"), default=0
    )
    nibp_cycle_started_at = models.DateTimeField(_("NIBP cycle started"), null=True, blank=True)
    # A session started from a scenario template keeps a copy of its steps (see scenarios.py):
    # editing or deleting the template later changes neither a running session nor its record.
    template = models.ForeignKey(
        "library.SessionTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("template"),
    )
    # The template's version when the session started (SessionTemplate.version).
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    steps = models.JSONField(_("steps"), null=True, blank=True)
    # The template's expected actions for the whole scenario and its scoring, copied with the
    # steps (each step's own are in `steps`); see assessment/expected.py.
    expected_actions = models.JSONField(_("expected actions"), default=list, blank=True)
    scoring = models.JSONField(_("scoring"), null=True, blank=True)
    # Index in `steps` of the step last applied; None before the first.
    current_step = models.PositiveSmallIntegerField(_("current step"), null=True, blank=True)
    # The monitor-defibrillator: the trainer's settings (mode, the pacer's capture threshold,
    # the quality of CPR) and what the trainees did with it (a charge, the pacer, CPR, a step a
    # shock triggered); see simulator/treatment.py and sessions_app/treatment.py.
    defibrillator = models.JSONField(_("defibrillator"), default=treatment.default_settings)
    treatment = models.JSONField(_("treatment"), default=dict, blank=True)
    # The school the session is run in: its admins see it, its trainers can join its team
    # (SessionMember). None: the trainer's own space.
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("school"),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "sessions"
        ordering = ["-created_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.code} ({self.trainee_label})"

    @property
    def trainee_label(self) -> str:
        """The trainee's name, or what stands for it once anonymised."""
        if self.trainee_anonymised_at is not None:
            return gettext("Anonymised trainee")
        return self.trainee_name

    def status(self, now=None) -> str:
        if self.closed_at is not None:
            # expire_sessions stamps closed_at = expires_at, so an expired session stays "expired".
            return self.EXPIRED if self.closed_at >= self.expires_at else self.CLOSED
        if self.expires_at <= (now or timezone.now()):
            return self.EXPIRED
        return self.OPEN

    def status_label(self):
        return self.STATUS_LABELS[self.status()]

    def ended_at(self, now=None) -> datetime.datetime:
        """When the session ended: closed, expired, or (still open) now."""
        now = now or timezone.now()
        end = self.closed_at or min(self.expires_at, now)
        return max(end, self.created_at)

    def is_open(self, now=None) -> bool:
        return self.status(now) == self.OPEN


class SessionEvent(models.Model):
    # Everything that changes what the monitor shows: a trainer's change of values, a trend
    # stopped, new alarm limits, the cuff started or its cycle set, the trainee silencing the
    # alarms. Each carries values: the target of a change, else those shown at that moment
    # (none before the first change).
    VITALS = "vitals"
    TREND_STOPPED = "trend_stopped"
    ALARM_LIMITS = "alarm_limits"
    NIBP_STARTED = "nibp_started"
    NIBP_INTERVAL = "nibp_interval"
    ALARMS_SILENCED = "alarms_silenced"
    SESSION_EXTENDED = "session_extended"
    PAUSED = "paused"
    RESUMED = "resumed"
    PROFILE = "profile"
    TWELVE_LEAD = "twelve_lead"
    DEFIBRILLATOR = "defibrillator"
    CHARGED = "charged"
    SHOCK = "shock"
    DISARMED = "disarmed"
    ANALYSED = "analysed"
    PADS = "pads"
    PACER = "pacer"
    CPR = "cpr"
    RESULT = "result"
    KINDS = {
        VITALS: _("Values changed"),
        TREND_STOPPED: _("Trend stopped"),
        ALARM_LIMITS: _("Alarm limits changed"),
        NIBP_STARTED: _("NIBP measurement started"),
        NIBP_INTERVAL: _("Automatic NIBP changed"),
        ALARMS_SILENCED: _("Alarms silenced"),
        SESSION_EXTENDED: _("Time extended"),
        PAUSED: _("Paused"),
        RESUMED: _("Resumed"),
        PROFILE: _("Patient changed"),
        TWELVE_LEAD: _("12-lead acquired"),
        DEFIBRILLATOR: _("Defibrillator set"),
        CHARGED: _("Charged"),
        SHOCK: _("Shock"),
        DISARMED: _("Disarmed"),
        ANALYSED: _("AED analysis"),
        PADS: _("Pads"),
        PACER: _("Pacer"),
        CPR: _("CPR"),
        RESULT: _("Result sent"),
    }
    # The trainee's treatment and the device's settings: one message type, "treatment".
    TREATMENT_KINDS = (DEFIBRILLATOR, CHARGED, SHOCK, DISARMED, ANALYSED, PADS, PACER, CPR)
    # The kinds that set the values the monitor moves toward.
    VALUE_KINDS = (VITALS, TREND_STOPPED, PAUSED, RESUMED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS.items(), default=VITALS)
    systolic = models.IntegerField(_("systolic"), null=True, blank=True)
    diastolic = models.IntegerField(_("diastolic"), null=True, blank=True)
    heart_rate = models.IntegerField(_("heart rate"), null=True, blank=True)
    spo2 = models.IntegerField(_("SpO2"), null=True, blank=True)
    respiratory_rate = models.IntegerField(_("respiratory rate"), null=True, blank=True)
    etco2 = models.IntegerField(_("EtCO2"), null=True, blank=True)
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    abp_systolic = models.IntegerField(_("ABP systolic"), null=True, blank=True)
    abp_diastolic = models.IntegerField(_("ABP diastolic"), null=True, blank=True)
    cvp = models.IntegerField(_("CVP"), null=True, blank=True)
    flags = models.JSONField(_("flags"), default=dict)
    transition_seconds = models.PositiveIntegerField(_("transition (s)"), default=0)
    # Kind-specific facts: a trend's starting values and step, new limits, the cuff's start or
    # cycle, until when the alarms are silenced.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # Who did it: a trainer, or a trainee screen (its stable id and label); neither for what
    # Shiller did itself (a step a shock triggered). RESTRICT: an author with events in a
    # colleague's session is deactivated, not deleted (the audit trail keeps their name).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    screen_id = models.CharField(_("screen id"), max_length=32, blank=True)
    screen_label = models.CharField(_("screen"), max_length=120, blank=True)

    class Meta:
        db_table = "session_events"
        ordering = ["-created_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        if self.heart_rate is None:
            return str(self.kind_label())
        return f"{self.systolic}/{self.diastolic} HR {self.heart_rate} SpO2 {self.spo2}"

    @property
    def values(self) -> dict:
        values = {field: getattr(self, field) for field in vitals.INTEGER_FIELDS}
        # A Decimal column; the values travel as JSON numbers.
        values["temperature"] = None if self.temperature is None else float(self.temperature)
        values["flags"] = self.flags
        return values

    @property
    def trend(self) -> dict | None:
        """The trend record the change was broadcast with (see trends.start), or None."""
        if not self.transition_seconds or "from" not in self.detail:
            return None
        return {
            "from": self.detail["from"],
            "started_at": self.created_at.isoformat(),
            "seconds": self.transition_seconds,
        }

    def message(self) -> dict:
        """The protocol message this event is broadcast as (docs/protocol.md); replay too."""
        # Every message says when it happened: the replay plays each at its moment.
        at = self.created_at.isoformat()
        match self.kind:
            # A setting leaves the values as they are; `values` are those shown then, the
            # event's row on the control page.
            case self.ALARM_LIMITS:
                message = {"type": "alarm_limits", "limits": self.detail["limits"]}
            case self.NIBP_STARTED:
                message = {"type": "nibp_started", "started_at": at}
            case self.NIBP_INTERVAL:
                message = {"type": "nibp_interval", **self.detail}
            case self.ALARMS_SILENCED:
                message = {
                    "type": "alarms_silenced",
                    "until": self.detail["until"],
                    "acknowledged": self.detail.get("acknowledged", []),
                    "event_id": str(self.id),
                }
            case self.SESSION_EXTENDED:
                message = {"type": "session_extended", **self.detail}
            case self.PROFILE:
                message = {"type": "profile", "profile": self.detail["profile"]}
            case self.TWELVE_LEAD:
                message = {"type": "twelve_lead"}
            case kind if kind in self.TREATMENT_KINDS:
                # The device's whole state after the event: a screen needs nothing else.
                treatment = self.detail.get("state", {})
                detail = {key: value for key, value in self.detail.items() if key != "state"}
                message = {
                    "type": "treatment",
                    "kind": kind,
                    "treatment": treatment.get("treatment", {}),
                    "defibrillator": treatment.get("defibrillator", {}),
                    "detail": detail,
                    "event_id": str(self.id),
                }
            case self.RESULT:
                # The screens fetch the card, rendered in their language (views.monitor_result).
                message = {"type": "result", **self.detail, "event_id": str(self.id)}
            case _:
                message = None
        # Who did it, by id (the control pages name them; the screens need no name).
        by = self.by()
        if message is not None:
            return {**message, "values": self.values, "at": at, "by": by}
        message = {
            "type": "vitals",
            "kind": self.kind,
            "values": self.values,
            "trend": self.trend,
            "event_id": str(self.id),
            "at": at,
            "by": by,
        }
        if "step" in self.detail:
            message["step"] = self.detail["step"]
        return message

    def kind_label(self):
        return self.KINDS[self.kind]

    def by(self) -> dict | None:
        """The author as the messages carry it: a trainer's id (the control socket names them),
        or the screen."""
        if self.author_id is not None:
            return {"trainer": str(self.author_id)}
        if self.screen_id:
            return {"screen": self.screen_id, "label": self.screen_label}
        return None

    def save(self, *args, **kwargs):
        # The audit trail: an event is written once; a correction is a new event.
        if not self._state.adding:
            raise EventsAreFinal
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventsAreFinal


class EventsAreFinal(Exception):
    def __init__(self):
        super().__init__("Session events are never changed or deleted: store a new event.")


class SessionMember(models.Model):
    """A colleague on the owner's session: a co-trainer drives it as the owner does; an observer
    sees the control page live and writes notes, never changing the patient."""

    COTRAINER = "cotrainer"
    OBSERVER = "observer"
    ROLES = {
        COTRAINER: _("co-trainer"),
        OBSERVER: _("observer"),
    }

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="members")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="session_memberships",
        verbose_name=_("trainer"),
    )
    role = models.CharField(_("role"), max_length=10, choices=ROLES.items(), default=OBSERVER)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        db_table = "session_members"
        ordering = ["created_at"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["session", "trainer"], name="session_members_once")
        ]

    def __str__(self):
        return f"{self.trainer} · {self.session} ({self.role})"

    def role_label(self):
        return self.ROLES[self.role]


class SessionNote(models.Model):
    # The trainer's own remark, written during the session or at the debrief; `at` is the
    # moment of the session it is about, not when it was typed.
    MAX_LENGTH = 2000

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), max_length=MAX_LENGTH)
    at = models.DateTimeField(_("at"), db_index=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    # The faculty member who wrote it; RESTRICT, as for events.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta:
        db_table = "session_notes"
        ordering = ["at", "created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.text[:60]


def result_image_name(result: "SessionResult", filename: str) -> str:
    """Where an image is stored: a name of our own, never the client's (which may hold a path)."""
    return f"results/{result.session_id}/{uuid.uuid4().hex}.{result.image_extension}"


class SessionResult(models.Model):
    """A result the trainer sent to the bedside (sessions_app/results.py says what each holds);
    its sending is a SessionEvent of kind "result" that names it."""

    KINDS = results.KINDS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="results")
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS.items())
    title = models.CharField(_("title"), max_length=results.TITLE_MAX, blank=True)
    # Machine data, never localised: see results.py for a row's keys.
    rows = models.JSONField(_("rows"), default=list, blank=True)
    comment = models.TextField(_("comment"), max_length=results.COMMENT_MAX, blank=True)
    image = models.FileField(_("image"), upload_to=result_image_name, blank=True, max_length=200)
    # Taken from the decoded image, never from the client.
    content_type = models.CharField(_("content type"), max_length=20, blank=True)
    # Texts from a shipped template (stored in English, marked for translation): shown
    # translated, as the template's notes are.
    shipped_text = models.BooleanField(_("shipped text"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        db_table = "session_results"
        ordering = ["created_at"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self):
        return f"{self.kind_label()}: {self.title}" if self.title else str(self.kind_label())

    @property
    def image_extension(self) -> str:
        return "png" if self.content_type == "image/png" else "jpg"

    def kind_label(self):
        return self.KINDS[self.kind]

    def text(self, text: str) -> str:
        """A title, comment or row name as the screen shows it."""
        return gettext(text) if self.shipped_text and text else text

    def display_title(self) -> str:
        """The title, else the kind's name, in the active language."""
        return self.text(self.title) or str(self.kind_label())

    def summary(self) -> dict:
        """What the broadcast and the snapshot say of it: the screens fetch the card."""
        return {
            "result": str(self.id),
            "kind": self.kind,
            "title": self.title,
            "at": self.created_at.isoformat(),
        }
