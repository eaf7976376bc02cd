"""Trainee names are personal data: kept RETENTION_DAYS after a session ended, then replaced.

What goes: the trainee's name on the session, and the names typed on the join page by its
screens (SessionEvent.screen_label, which is often the trainee's own). What stays: every
event, logged action and score, for the debrief and the cohort; the faculty's notes (theirs);
the screens' device descriptions. Pages then show Session.trainee_label, in their language.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from sessions_app.models import Session, SessionEvent


@dataclass
class Anonymised:
    sessions: list[tuple[str, str]]  # (id, code) of each session, oldest end first
    screen_names: int  # events whose screen name was (or would be) cleared
    cutoff: datetime.datetime


def due(cutoff: datetime.datetime) -> QuerySet:
    """Sessions that ended before `cutoff` and still carry a trainee's name: closed, or past
    their end without anyone closing them (open ones are never touched)."""
    ended_before = Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, expires_at__lt=cutoff)
    return Session.objects.filter(ended_before, trainee_anonymised_at__isnull=True)


def anonymise(now=None, days: int | None = None, dry_run: bool = False) -> Anonymised:
    """Anonymise the trainees of sessions ended over `days` (RETENTION_DAYS) days ago. Run it
    again and it finds nothing new: anonymised sessions are stamped."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days or settings.RETENTION_DAYS)
    with transaction.atomic():
        # Locked, skipping rows another run holds: two runs at once anonymise each session once.
        rows = list(
            due(cutoff)
            .select_for_update(skip_locked=True)
            .order_by(Coalesce("closed_at", "expires_at"), "pk")
            .values_list("pk", "code")
        )
        ids = [pk for pk, _code in rows]
        named = SessionEvent.objects.filter(session__in=ids).exclude(screen_label="")
        if dry_run:
            screen_names = named.count()
        else:
            Session.objects.filter(pk__in=ids).update(trainee_name="", trainee_anonymised_at=now)
            # The one change ever made to stored events: an UPDATE, not Model.save (which
            # refuses, EventsAreFinal), and only of the typed name, never of what happened.
            screen_names = named.update(screen_label="")
    return Anonymised([(str(pk), code) for pk, code in rows], screen_names, cutoff)
