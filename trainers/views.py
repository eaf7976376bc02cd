import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment import lms, xapi
from schools import services as school_services
from shiller import throttle
from trainers.forms import LmsTokenForm, ProfileForm, SignupForm

# A new LMS key, kept in the trainer's session from its POST to the page that shows it once.
NEW_LMS_KEY = "new_lms_key"


def throttled_login(view):
    """Wrap a login view: a POST that does not log in (anything but a redirect) counts as a
    failure per client address and per email-and-address, and once either is full the POST is
    refused with 429. Nothing counts per email alone, so no one can lock a trainer out from
    elsewhere. Used by the trainers' login and the admin's."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        identities = _identities(request)
        waits = [throttle.retry_after(scope, who, rates) for scope, who, rates in identities]
        if wait := max((w for w in waits if w), default=None):
            return throttle.too_many_attempts(request, wait)
        response = view(request, *args, **kwargs)
        if response.status_code != 302:
            for scope, who, rates in identities:
                throttle.record_failure(scope, who, rates)
        return response

    return wrapper


def _identities(request) -> list[tuple[str, str, throttle.Rates]]:
    address = throttle.client_address(request)
    email = request.POST.get("username", "").strip().lower()
    return [
        ("login-address", address, settings.LOGIN_ADDRESS_RATES),
        ("login-email-address", f"{email} {address}", settings.LOGIN_RATES),
    ]


@method_decorator(throttled_login, name="post")
class LoginView(auth_views.LoginView):
    """Django's login, with failed attempts throttled (throttled_login)."""


def signup(request):
    """An account exists only through an invitation: without a usable one there is no page."""
    token = request.GET.get("invitation", "")
    try:
        invitation = school_services.find_invitation(token)
    except school_services.InvitationError:
        raise Http404 from None
    if request.user.is_authenticated:
        return redirect("schools:invitation", token)
    form = SignupForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: an invitation spent meanwhile leaves no account behind.
            with transaction.atomic():
                trainer = form.save()
                membership = school_services.accept(token, trainer)
        except school_services.InvitationError as e:
            ctx = {"error": e.message, "invitation": e.invitation}
            return render(request, "schools/invitation_invalid.html", ctx, status=e.status)
        login(request, trainer)
        messages.success(
            request, _("Welcome to %(school)s.") % {"school": membership.school.name}
        )
        return redirect("schools:detail", membership.school_id)
    ctx = {"form": form, "invitation": invitation, "token": token}
    return render(request, "registration/signup.html", ctx, status=400 if form.errors else 200)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your name is saved."))
        return redirect("profile")
    return _render_profile(request, form=form)


def _render_profile(request, form=None, token_form=None):
    ctx = {
        "form": form or ProfileForm(instance=request.user),
        "token_form": token_form or LmsTokenForm(),
        "lms_tokens": lms.active_tokens(request.user),
        # Shown once: a reload of the page no longer has it.
        "new_lms_key": request.session.pop(NEW_LMS_KEY, None),
        "max_lms_tokens": lms.MAX_ACTIVE,
        "lms_statements_url": xapi.site_url(request) + reverse("assessment:lms_statements"),
    }
    status = 400 if form and form.errors or token_form and token_form.errors else 200
    return render(request, "registration/profile.html", ctx, status=status)


@login_required
@require_POST
def lms_token_new(request):
    form = LmsTokenForm(request.POST)
    if form.is_valid() and lms.active_tokens(request.user).count() >= lms.MAX_ACTIVE:
        form.add_error(
            None, _("At most %(max)s keys: revoke one first.") % {"max": lms.MAX_ACTIVE}
        )
    if not form.is_valid():
        return _render_profile(request, token_form=form)
    token, key = lms.create_token(request.user, form.cleaned_data["name"])
    request.session[NEW_LMS_KEY] = key
    messages.success(request, _("Key %(name)s made.") % {"name": token.name})
    return redirect(reverse("profile") + "#lms")


@login_required
@require_POST
def lms_token_revoke(request, pk):
    if not lms.revoke(request.user, pk):
        raise Http404
    messages.success(request, _("The key is revoked: it opens nothing any more."))
    return redirect(reverse("profile") + "#lms")
