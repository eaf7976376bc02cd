"""Schools' domain: creating one, inviting colleagues, accepting, roles and leaving.

Views call these; each change is one transaction that locks the school's row, so that two
admins acting at once cannot leave a school without an admin.
"""

import secrets

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.models import Invitation, Membership, School, hash_token
from sessions_app import services as session_services
from sessions_app.models import Session, SessionMember


class SchoolError(Exception):
    """A change refused, with the message the user reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvitationError(SchoolError):
    """An invitation link that cannot be used; `status` is the page's (404 unknown, 410 spent)."""

    def __init__(self, message: str, status: int = 410, invitation: Invitation | None = None):
        super().__init__(message)
        self.status = status
        self.invitation = invitation


def create_school(trainer, name: str) -> School:
    with transaction.atomic():
        school = School.objects.create(name=name)
        Membership.objects.create(school=school, trainer=trainer, role=Membership.ADMIN)
    return school


def _locked(school: School) -> School:
    return School.objects.select_for_update().get(pk=school.pk)


def invite(school: School, by, email: str, role: str, now=None) -> tuple[Invitation, str]:
    """A new invitation and its token, the only time the token exists in clear: the database
    keeps its digest. A still-pending invitation to the same email is withdrawn."""
    now = now or timezone.now()
    email = email.strip().lower()
    with transaction.atomic():
        _locked(school)
        if school.memberships.filter(trainer__email__iexact=email).exists():
            raise SchoolError(
                _("%(email)s is already a member of this school.") % {"email": email}
            )
        _pending(school.invitations.filter(email__iexact=email), now).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            school=school,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=by,
            created_at=now,
            expires_at=now + Invitation.VALID_FOR,
        )
    return invitation, token


def _pending(invitations, now):
    return invitations.filter(accepted_at=None, revoked_at=None, expires_at__gt=now)


def pending_invitations(school: School, now=None):
    return _pending(school.invitations.all(), now or timezone.now()).select_related("invited_by")


def send_invitation(invitation: Invitation, link: str) -> None:
    """The email with the link, in the active language (the inviter's)."""
    ctx = {"invitation": invitation, "link": link, "inviter": invitation.invited_by}
    # One line whatever a name held before names were checked: a subject cannot break headers.
    school = " ".join(invitation.school.name.split())
    subject = _("Join %(school)s on Shiller") % {"school": school}
    body = render_to_string("schools/invitation_email.txt", ctx)
    send_mail(subject, body, None, [invitation.email])


def withdraw(invitation: Invitation, now=None) -> None:
    now = now or timezone.now()
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=now
    )


def _check(invitation: Invitation | None, now) -> Invitation:
    if invitation is None:
        # Nothing about a school: an unknown link tells nothing to whoever guesses one.
        raise InvitationError(_("This invitation link is not valid."), status=404)
    if invitation.accepted_at is not None:
        message = _("This invitation has already been used.")
    elif invitation.revoked_at is not None:
        message = _("This invitation was withdrawn.")
    elif invitation.expires_at <= now:
        message = _("This invitation has expired.")
    else:
        return invitation
    raise InvitationError(message, invitation=invitation)


def find_invitation(token: str, now=None) -> Invitation:
    """The pending invitation the token opens, or InvitationError."""
    invitation = (
        Invitation.objects.select_related("school", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return _check(invitation, now or timezone.now())


def accept(token: str, trainer, now=None) -> Membership:
    """Join the school; the link is then spent. A member already just spends it."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _check(
            Invitation.objects.select_for_update()
            .select_related("school")
            .filter(token_hash=hash_token(token))
            .first(),
            now,
        )
        membership, _created = Membership.objects.get_or_create(
            school=invitation.school, trainer=trainer, defaults={"role": invitation.role}
        )
        invitation.accepted_at = now
        invitation.accepted_by = trainer
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _other_admins(membership: Membership):
    return Membership.objects.filter(school=membership.school_id, role=Membership.ADMIN).exclude(
        pk=membership.pk
    )


def _access_changed(school: School) -> None:
    # Open control pages check their trainer again: one may have lost their seat.
    session_services.report_access_changed(Session.objects.filter(school=school))


def change_role(membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        _locked(membership.school)
        membership = Membership.objects.select_related("school").get(pk=membership.pk)
        if membership.role == role:
            return membership
        if membership.is_admin and not _other_admins(membership).exists():
            raise SchoolError(
                _("A school needs at least one admin: make another member admin first.")
            )
        membership.role = role
        membership.save(update_fields=["role"])
        _access_changed(membership.school)
    return membership


def remove_member(membership: Membership) -> None:
    """The member leaves the school and the teams of its sessions."""
    with transaction.atomic():
        school = _locked(membership.school)
        membership = Membership.objects.filter(pk=membership.pk).first()
        if membership is None:
            return
        if membership.is_admin and not _other_admins(membership).exists():
            raise SchoolError(
                _("A school needs at least one admin: make another member admin first.")
            )
        SessionMember.objects.filter(session__school=school, trainer=membership.trainer_id).delete()
        membership.delete()
        _access_changed(school)


def leave(membership: Membership) -> None:
    remove_member(membership)
