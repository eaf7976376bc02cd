"""Who may see and do what: every query of a trainer's sessions, templates and schools goes
through here.

On a session a trainer is its owner, a co-trainer or an observer (SessionMember), or an admin of
the session's school; anyone else finds no session (404, a 4403 close on the socket). Owners and
co-trainers drive the patient; observers and school admins watch, and write notes; only the
owner chooses the team.
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from library.models import SessionTemplate
from schools.models import Invitation, Membership, School
from sessions_app.models import Session, SessionMember

OWNER = "owner"
COTRAINER = SessionMember.COTRAINER
OBSERVER = SessionMember.OBSERVER
SCHOOL_ADMIN = "school_admin"

ROLE_LABELS = {
    OWNER: _("owner"),
    COTRAINER: _("co-trainer"),
    OBSERVER: _("observer"),
    SCHOOL_ADMIN: _("school admin"),
}
DRIVERS = frozenset({OWNER, COTRAINER})

# What a page asks for: to see the session, to change the patient, to choose its team.
VIEW = "view"
DRIVE = "drive"
MANAGE = "manage"
ALLOWED = {
    VIEW: frozenset({OWNER, COTRAINER, OBSERVER, SCHOOL_ADMIN}),
    DRIVE: DRIVERS,
    MANAGE: frozenset({OWNER}),
}


def _administered(trainer) -> QuerySet:
    return Membership.objects.filter(trainer=trainer, role=Membership.ADMIN).values("school")


def sessions_for(trainer) -> QuerySet:
    """Every session the trainer may see: their own, those they are on, their schools' (admin)."""
    on_team = SessionMember.objects.filter(session=OuterRef("pk"), trainer=trainer)
    return Session.objects.filter(
        Q(trainer=trainer) | Q(Exists(on_team)) | Q(school__in=_administered(trainer))
    )


def drivable_by(trainer) -> QuerySet:
    """The sessions whose patient `trainer` may change: their own and those they co-train."""
    cotrains = SessionMember.objects.filter(
        session=OuterRef("pk"), trainer=trainer, role=SessionMember.COTRAINER
    )
    return Session.objects.filter(Q(trainer=trainer) | Q(Exists(cotrains)))


def drives_sql(session_table: str, trainer) -> tuple[str, list]:
    """drivable_by's rule as an SQL condition on a row of `session_table` (sessions), for the
    one statement that stores an instant change (services.apply_vitals); with its parameters.
    test_access checks that the two say the same of every role."""
    sql = (
        f"({session_table}.trainer_id = %s OR EXISTS (SELECT 1 FROM"
        f" {SessionMember._meta.db_table} member WHERE member.session_id = {session_table}.id"
        " AND member.trainer_id = %s AND member.role = %s))"
    )
    return sql, [trainer.pk, trainer.pk, SessionMember.COTRAINER]


def may_drive(trainer, session: Session) -> bool:
    """Whether `trainer` may change the patient of `session`: its owner (no query: the hot
    path of every stored change) or a co-trainer."""
    if session.trainer_id == trainer.pk:
        return True
    return SessionMember.objects.filter(
        session=session, trainer=trainer, role=SessionMember.COTRAINER
    ).exists()


def role_on(trainer, session: Session) -> str | None:
    """The trainer's role on the session, or None when it is none of theirs."""
    if trainer is None or not trainer.is_authenticated:
        return None
    if session.trainer_id == trainer.pk:
        return OWNER
    member = SessionMember.objects.filter(session=session, trainer=trainer).first()
    if member is not None:
        return member.role
    if session.school_id and _administered(trainer).filter(school=session.school_id).exists():
        return SCHOOL_ADMIN
    return None


def session_for(trainer, pk, need: str = VIEW) -> tuple[Session, str]:
    """The session and the trainer's role on it, if that role may `need`; else Http404: a
    session that is not theirs looks like no session, and so does one they may only watch
    when they ask to change it (the page they came from did not offer it)."""
    session = Session.objects.select_related("school", "template").filter(pk=pk).first()
    role = None if session is None else role_on(trainer, session)
    if role not in ALLOWED[need]:
        raise Http404
    return session, role


def faculty_names(session: Session) -> dict[str, str]:
    """The names of the trainers who may drive the session, by id: the rows of their changes."""
    names = {str(session.trainer_id): session.trainer.display_name}
    for member in SessionMember.objects.filter(session=session).select_related("trainer"):
        names[str(member.trainer_id)] = member.trainer.display_name
    return names


def can(role: str | None, need: str) -> bool:
    return role in ALLOWED[need]


# Schools.


def schools_of(trainer) -> QuerySet:
    return School.objects.filter(memberships__trainer=trainer)


def school_for(trainer, pk, admin: bool = False) -> tuple[School, Membership]:
    """The school and the trainer's membership of it (an admin's, when `admin`); else Http404."""
    membership = (
        Membership.objects.select_related("school").filter(school=pk, trainer=trainer).first()
    )
    if membership is None or (admin and not membership.is_admin):
        raise Http404
    return membership.school, membership


def invitations_of(school: School) -> QuerySet:
    return Invitation.objects.filter(school=school)


def colleagues(session: Session) -> QuerySet:
    """Who the owner may add to the session's team: the members of its school but the owner."""
    from trainers.models import Trainer

    if session.school_id is None or not Membership.objects.filter(
        school=session.school_id, trainer=session.trainer_id
    ).exists():
        # An owner who left the school no longer sees, nor adds, its members.
        return Trainer.objects.none()
    return (
        Trainer.objects.filter(memberships__school=session.school_id, is_active=True)
        .exclude(pk=session.trainer_id)
        .order_by("name", "email")
    )


# Templates.


def templates_for(trainer) -> QuerySet:
    """The trainer's own templates, their schools' libraries and the shipped ones."""
    return SessionTemplate.objects.filter(
        Q(trainer=trainer)
        | Q(school__in=Membership.objects.filter(trainer=trainer).values("school"))
        | Q(trainer__isnull=True, school__isnull=True)
    )


def template_editing(trainer) -> Callable[[SessionTemplate], bool]:
    """Whether the trainer may edit a template: its author, while a member of the school it is
    shared with (or when it is shared with none), and that school's admins; a shipped one, no
    one. The trainer's schools are asked once, for a whole list of templates."""
    roles = dict(Membership.objects.filter(trainer=trainer).values_list("school", "role"))

    def may_edit(template: SessionTemplate) -> bool:
        if template.is_shipped:
            return False
        if template.trainer_id == trainer.pk and (
            template.school_id is None or template.school_id in roles
        ):
            return True
        return roles.get(template.school_id) == Membership.ADMIN

    return may_edit


def can_edit_template(trainer, template: SessionTemplate) -> bool:
    return template_editing(trainer)(template)


def template_for(trainer, pk, edit: bool = False) -> SessionTemplate:
    """A template the trainer may read (or edit, when `edit`); else Http404."""
    template = templates_for(trainer).select_related("school").filter(pk=pk).first()
    if template is None or (edit and not can_edit_template(trainer, template)):
        raise Http404
    return template


# Cohorts (issue 18).


def cohort_sessions(trainer, template: SessionTemplate) -> QuerySet:
    """The runs of `template` the trainer compares: their own, and as a school's admin the
    school's. The template is one they may read (template_for)."""
    return Session.objects.filter(template=template).filter(
        Q(trainer=trainer) | Q(school__in=_administered(trainer))
    )
