"""The schools' pages: my schools, a school's members and invitations, an invitation's link.

Every school is reached through access.school_for: a school one is not a member of is a 404,
and so is an admin's action for a member who is not one.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, F, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools import access, services
from schools.forms import InviteForm, RoleForm, SchoolForm
from schools.models import Membership

logger = logging.getLogger(__name__)

# The session key of the link shown once to the admin who just sent it (only its digest is kept).
NEW_LINK = "schools:new_invitation_link"


@login_required
def school_list(request):
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = services.create_school(request.user, form.cleaned_data["name"])
        messages.success(request, _("School created: you are its admin. Invite your colleagues."))
        return redirect("schools:detail", school.pk)
    member_count = (
        Membership.objects.filter(school=OuterRef("pk"))
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # After the filter on the trainer's memberships, the role is theirs in each school.
    schools = access.schools_of(request.user).annotate(
        my_role=F("memberships__role"), member_count=Subquery(member_count)
    )
    ctx = {
        "schools": [(school, Membership.ROLES[school.my_role]) for school in schools],
        "form": form,
    }
    return render(request, "schools/school_list.html", ctx, status=400 if form.errors else 200)


@login_required
def school_detail(request, pk):
    school, membership = access.school_for(request.user, pk)
    return _detail(request, school, membership)


def _detail(request, school, membership, invite_form=None):
    new_link = request.session.pop(NEW_LINK, None)
    members = school.memberships.select_related("trainer").order_by(
        "role", "trainer__name", "trainer__email"
    )
    ctx = {
        "school": school,
        "membership": membership,
        "members": [(m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members],
    }
    if membership.is_admin:
        ctx["invite_form"] = invite_form or InviteForm()
        ctx["invitations"] = services.pending_invitations(school)
        if new_link and new_link["school"] == str(school.pk):
            ctx["new_link"] = new_link
    status = 400 if invite_form and invite_form.errors else 200
    return render(request, "schools/school_detail.html", ctx, status=status)


def _invitation_link(request, token: str) -> str:
    path = reverse("schools:invitation", args=[token])
    # A deployment's public origin when set: the email is opened away from this request.
    return settings.SITE_URL + path if settings.SITE_URL else request.build_absolute_uri(path)


@login_required
@require_POST
def invite(request, pk):
    school, membership = access.school_for(request.user, pk, admin=True)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail(request, school, membership, invite_form=form)
    try:
        invitation, token = services.invite(
            school, request.user, form.cleaned_data["email"], form.cleaned_data["role"]
        )
    except services.SchoolError as e:
        form.add_error("email", e.message)
        return _detail(request, school, membership, invite_form=form)
    link = _invitation_link(request, token)
    request.session[NEW_LINK] = {"school": str(school.pk), "email": invitation.email, "url": link}
    try:
        services.send_invitation(invitation, link)
    except (smtplib.SMTPException, OSError):
        # The invitation stands: the admin has its link on the next page to send it themselves.
        logger.exception("Could not email the invitation to %s", invitation.email)
        messages.error(
            request,
            _("The email to %(email)s could not be sent: copy the link below and send it yourself.")
            % {"email": invitation.email},
        )
    else:
        messages.success(
            request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("schools:detail", school.pk)


@login_required
@require_POST
def withdraw(request, pk, invitation_pk):
    school, _membership = access.school_for(request.user, pk, admin=True)
    invitation = get_object_or_404(access.invitations_of(school), pk=invitation_pk)
    services.withdraw(invitation)
    messages.success(
        request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
    )
    return redirect("schools:detail", school.pk)


def _member(school, member_pk) -> Membership:
    return get_object_or_404(school.memberships.select_related("trainer"), pk=member_pk)


@login_required
@require_POST
def change_role(request, pk, member_pk):
    school, _membership = access.school_for(request.user, pk, admin=True)
    member = _member(school, member_pk)
    form = RoleForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role: school admin or trainer."))
        return redirect("schools:detail", school.pk)
    try:
        member = services.change_role(member, form.cleaned_data["role"])
    except services.SchoolError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": member.trainer.display_name, "role": member.role_label()},
        )
    return redirect("schools:detail", school.pk)


@login_required
@require_POST
def remove(request, pk, member_pk):
    school, membership = access.school_for(request.user, pk, admin=True)
    member = _member(school, member_pk)
    try:
        services.remove_member(member)
    except services.SchoolError as e:
        messages.error(request, e.message)
        return redirect("schools:detail", school.pk)
    if member.pk == membership.pk:
        messages.success(request, _("You left %(school)s.") % {"school": school.name})
        return redirect("schools:list")
    messages.success(
        request,
        _("%(name)s was removed from the school.") % {"name": member.trainer.display_name},
    )
    return redirect("schools:detail", school.pk)


@login_required
@require_POST
def leave(request, pk):
    school, membership = access.school_for(request.user, pk)
    try:
        services.leave(membership)
    except services.SchoolError as e:
        messages.error(request, e.message)
        return redirect("schools:detail", school.pk)
    messages.success(request, _("You left %(school)s.") % {"school": school.name})
    return redirect("schools:list")


def invitation(request, token):
    """The link from the email: who invites whom to what; accept, log in or create an account."""
    try:
        invitation = services.find_invitation(token)
    except services.InvitationError as e:
        ctx = {"error": e.message, "invitation": e.invitation}
        return render(request, "schools/invitation_invalid.html", ctx, status=e.status)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.accept(token, request.user)
        except services.InvitationError as e:
            ctx = {"error": e.message, "invitation": e.invitation}
            return render(request, "schools/invitation_invalid.html", ctx, status=e.status)
        messages.success(
            request, _("Welcome to %(school)s.") % {"school": membership.school.name}
        )
        return redirect("schools:detail", membership.school_id)
    ctx = {
        "invitation": invitation,
        "token": token,
        "other_email": request.user.is_authenticated
        and request.user.email != invitation.email,
    }
    return render(request, "schools/invitation.html", ctx)
