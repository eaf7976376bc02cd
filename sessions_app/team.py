"""A session's team: the owner adds colleagues of the session's school as co-trainers (they
drive the patient) or observers (they watch and write notes), changes their role, removes them.

Each change is told to the session's control pages (services.report_access_changed): a page
whose trainer lost the session closes at once, one whose role changed reloads.
"""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from schools import access
from sessions_app import services
from sessions_app.models import Session, SessionMember
from simulator.vitals import VitalsError


def _owned(session_id, owner) -> Session:
    """The owner's session, locked; Session.DoesNotExist for anyone else (Refused: forbidden)."""
    return Session.objects.select_for_update(of=("self",)).select_related("school").get(
        pk=session_id, trainer=owner
    )


def _uuid(value, field: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise VitalsError({field: message}) from None


def _member_id(value) -> int | None:
    """A member's id as the live link may send it (a number, or its digits), within the column's
    range; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if isinstance(value, str):
        if not value.isdecimal() or len(value) > 18:
            return None
        value = int(value)
    return value if 0 < value < 2**63 else None


def add_member(session_id, trainer_id, role, *, owner) -> SessionMember:
    """Add a colleague with `role`, or change the role of one already on the team."""
    if not isinstance(role, str) or role not in SessionMember.ROLES:
        raise VitalsError({"role": _("Choose co-trainer or observer.")})
    with transaction.atomic():
        session = _owned(session_id, owner)
        if session.school is None:
            message = _("This session is in your own space: start it in a school to add colleagues.")
            raise VitalsError({"trainer": message})
        not_colleague = _("Choose a member of %(school)s.") % {"school": session.school.name}
        trainer_id = _uuid(trainer_id, "trainer", not_colleague)
        colleague = access.colleagues(session).filter(pk=trainer_id).first()
        if colleague is None:
            raise VitalsError({"trainer": not_colleague})
        member, _created = SessionMember.objects.update_or_create(
            session=session, trainer=colleague, defaults={"role": role}
        )
        services.report_access_changed([session.pk])
    return member


def remove_member(session_id, member_id, *, owner) -> None:
    gone = _("This colleague is no longer on the team.")
    member_id = _member_id(member_id)
    if member_id is None:
        raise VitalsError({"member": gone})
    with transaction.atomic():
        session = _owned(session_id, owner)
        deleted, _kinds = SessionMember.objects.filter(session=session, pk=member_id).delete()
        if not deleted:
            raise VitalsError({"member": gone})
        services.report_access_changed([session.pk])
