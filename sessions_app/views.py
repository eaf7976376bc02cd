import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions_app import services, vitals
from sessions_app.forms import JoinForm, SessionForm, VitalsForm
from sessions_app.models import Session
from shiller import throttle

RECENT_EVENTS = 20
SESSIONS_PER_PAGE = 25


def _get_own_session(request, pk) -> Session:
    """The logged-in trainer's session, or 404: another trainer's looks like no session."""
    return get_object_or_404(Session, pk=pk, trainer=request.user)


def home(request):
    return render(request, "sessions_app/join.html", {"form": JoinForm()})


def _join_throttled(request):
    wait = services.join_retry_after(throttle.client_address(request))
    return throttle.too_many_attempts(request, wait) if wait else None


def _record_failed_join(request) -> None:
    services.record_failed_join(throttle.client_address(request))


def join(request):
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST" and (refused := _join_throttled(request)):
        return refused
    if request.method == "POST" and form.is_valid():
        session = services.find_session_by_code(form.cleaned_data["code"])
        if session is not None and session.is_open():
            return redirect("sessions:monitor", code=session.code)
        _record_failed_join(request)
        form.add_error("code", _("No open session with this code."))
        status = 404 if session is None else 410
    elif form.errors:
        status = 400
    return render(request, "sessions_app/join.html", {"form": form}, status=status)


def monitor(request, code):
    # The monitor URL answers whether a code exists, so it is throttled like the join form.
    if refused := _join_throttled(request):
        return refused
    session = services.find_session_by_code(code)
    if session is None:
        _record_failed_join(request)
        form = JoinForm({"code": code})
        form.is_valid()
        form.add_error("code", _("No open session with this code."))
        return render(request, "sessions_app/join.html", {"form": form}, status=404)
    if not session.is_open():
        return render(request, "sessions_app/monitor_ended.html", {"session": session}, status=410)
    ctx = {
        "session": session,
        "values": session.last_values,
        "alarm_limits": vitals.ALARM_LIMITS,
        "rhythms": vitals.RHYTHMS,
    }
    return render(request, "sessions_app/monitor.html", ctx)


@login_required
def session_list(request):
    sessions = (
        Session.objects.filter(trainer=request.user).with_event_count().order_by("-created_at")
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sessions_app/session_list.html", {"page": page})


@login_required
def session_new(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = services.create_session(
            request.user, form.cleaned_data["trainee_name"], form.cleaned_data["duration_minutes"]
        )
        return redirect("sessions:control", pk=session.pk)
    return render(request, "sessions_app/session_new.html", {"form": form})


def _render_control(request, session, form, status=200):
    ctx = {
        "session": session,
        "form": form,
        "events": session.events.all()[:RECENT_EVENTS],
        "presets": [
            {"label": label, "values_json": json.dumps(values)}
            for label, values in vitals.PRESETS.values()
        ],
        "rhythms": {key: str(label) for key, label in vitals.RHYTHMS.items()},
        "join_url": request.build_absolute_uri(reverse("sessions:monitor", args=[session.code])),
    }
    return render(request, "sessions_app/control.html", ctx, status=status)


@login_required
def session_control(request, pk):
    session = _get_own_session(request, pk)
    form = VitalsForm(initial=VitalsForm.initial_from(session.last_values))
    return _render_control(request, session, form)


@login_required
@require_POST
def session_vitals(request, pk):
    session = _get_own_session(request, pk)
    form = VitalsForm(request.POST)
    if not form.is_valid():
        return _render_control(request, session, form, status=400)
    try:
        services.apply_vitals(session.pk, form.cleaned_data["values"], trainer=request.user)
    except services.SessionNotOpen:
        messages.error(request, _("This session has ended: the change was not stored."))
    else:
        messages.success(request, _("Values sent to the monitors."))
    return redirect("sessions:control", pk=session.pk)


@login_required
@require_POST
def session_close(request, pk):
    session = _get_own_session(request, pk)
    if services.close_session(session):
        messages.success(request, _("Session closed. The monitors show that it ended."))
    else:
        messages.info(request, _("This session had already ended."))
    return redirect("sessions:control", pk=session.pk)
