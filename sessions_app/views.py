import datetime
import json
import math
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from assessment import report, scoring
from assessment import services as assessment
from schools import access
from sessions_app import (
    actions,
    debrief,
    fragments,
    qr,
    scenarios,
    screens,
    services,
    uploads,
)
from sessions_app.forms import (
    AlarmLimitsForm,
    BloodGasForm,
    DefibrillatorForm,
    GlucoseForm,
    ImageForm,
    JoinForm,
    LabPanelForm,
    LogActionForm,
    NibpIntervalForm,
    NoteForm,
    ProfileForm,
    SessionForm,
    TeamMemberForm,
    VitalsForm,
)
from sessions_app.models import Session, SessionEvent, SessionResult
from shiller import lan, throttle
from simulator import protocol, vitals

RECENT_NOTES = 5
# The cockpit's treatment card lists the trainee's newest actions with the device.
RECENT_TREATMENT = 6
REPLAY_SPEEDS = (1, 2, 4, 8)
SESSIONS_PER_PAGE = 25
# The debrief's table of what happened: a 10,000-event session is 10,000 rows (?all=1 for them all).
DEBRIEF_ROWS_PER_PAGE = 200


def _get_session(request, pk, need=access.VIEW) -> Session:
    """The session, if the logged-in trainer's role on it allows `need` (schools/access.py), or
    404: another trainer's looks like no session. The role is kept on it for the page."""
    session, session.role = access.session_for(request.user, pk, need)
    return session


def home(request):
    return render(request, "sessions_app/join.html", {"form": JoinForm()})


def _attempt_join(request, code: str) -> tuple[Session | None, HttpResponse | None]:
    """The session of `code` or None, and a 429 when the client must wait (see attempt_join)."""
    session, wait = services.attempt_join(code, throttle.client_address(request))
    return session, throttle.too_many_attempts(request, wait) if wait else None


def join(request):
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        session, refused = _attempt_join(request, form.cleaned_data["code"])
        if refused:
            return refused
        if session is not None and session.is_open():
            monitor_url = reverse("sessions:monitor", args=[session.code])
            if name := form.cleaned_data["screen_name"]:
                monitor_url += "?" + urlencode({"screen": name})
            return redirect(monitor_url)
        if session is None:
            form.add_error("code", _("No session with this code."))
        else:
            form.add_error("code", _("This session has ended. Ask your trainer for a new code."))
        status = 404 if session is None else 410
    elif form.errors:
        status = 400
    return render(request, "sessions_app/join.html", {"form": form}, status=status)


def monitor(request, code):
    # The monitor URL answers whether a code exists, so it is throttled like the join form.
    session, refused = _attempt_join(request, code)
    if refused:
        return refused
    if session is None:
        form = JoinForm({"code": code})
        form.is_valid()
        form.add_error("code", _("No session with this code."))
        return render(request, "sessions_app/join.html", {"form": form}, status=404)
    if not session.is_open():
        return render(request, "sessions_app/monitor_ended.html", {"session": session}, status=410)
    # The name typed on the join page goes with the socket: the trainer's list shows it.
    ws_path = f"/ws/monitor/{session.code}/"
    if name := screens.clean_name(request.GET.get("screen", "")):
        ws_path += "?" + urlencode({"screen": name})
    ctx = {
        "session": session,
        "ws_path": ws_path,
        "state": services.monitor_state(session),
        "values": services.current_values(session),
        "alarm_rules": _alarm_rules(),
        "rhythms": vitals.RHYTHMS,
        "results_url": results_url(session, session.code),
    }
    return render(request, "sessions_app/monitor.html", ctx)


def _alarm_rules() -> dict:
    """What always alarms red, whatever the session's limits (see vitals.py)."""
    return {
        "red_rhythms": vitals.RED_RHYTHMS,
        "red_spo2_below": vitals.RED_SPO2_BELOW,
        "silence_seconds": vitals.SILENCE_SECONDS,
    }


@login_required
def session_list(request):
    sessions = (
        access.sessions_for(request.user)
        .select_related("trainer", "school")
        .with_event_count()
        .order_by("-created_at")
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sessions_app/session_list.html", {"page": page})


@login_required
def session_new(request):
    # "Start a session" on a template's page links here with ?template=<id>.
    initial = {"template": request.GET.get("template")}
    form = SessionForm(request.POST or None, trainer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = scenarios.start_session(
            request.user,
            data["trainee_name"],
            data["duration_minutes"],
            data["template"],
            profile=data["profile"] or None,
            school=data["school"],
        )
        return redirect("sessions:control", pk=session.pk)
    return render(request, "sessions_app/session_new.html", {"form": form})


def _presets(profile: str) -> list[dict]:
    """The profile's presets; an absent line stays out of them, so a preset leaves the arterial
    line and the CVP as the trainer has them."""
    presets = vitals.PROFILES.get(profile, vitals.PROFILES[vitals.DEFAULT_PROFILE])["presets"]
    return [
        {
            "label": label,
            "values_json": json.dumps(
                {k: v for k, v in values.items() if v is not None or k not in vitals.INVASIVE_FIELDS}
            ),
        }
        for label, values in presets.values()
    ]


def _results_panel(session, **forms) -> dict:
    """The control page's Results card: a form per kind (with its errors when posted without
    the live link) and the results sent, each with its card."""
    return {
        "blood_gas_form": forms.get("blood_gas_form") or BloodGasForm(prefix="gas"),
        "lab_panel_form": forms.get("lab_panel_form") or LabPanelForm(prefix="lab"),
        "glucose_form": forms.get("glucose_form") or GlucoseForm(prefix="glucose"),
        "image_form": forms.get("image_form") or ImageForm(prefix="image"),
        "items": [
            fragments.result_item(
                result,
                fragments.result_card(
                    result, reverse("sessions:result_image", args=[session.pk, result.pk])
                ),
            )
            for result in session.results.all()
        ],
        # control.js adds a result's id to fetch its card.
        "url": results_url(session),
    }


def results_url(session, code: str | None = None) -> str:
    """Where a page's script fetches a result's card (id/) and image (id/image): the screen's
    URL with its join code, or the trainer's."""
    if code:
        return reverse("sessions:monitor", args=[code]) + "results/"
    return reverse("sessions:control", args=[session.pk]) + "results/"


def _render_control(
    request,
    session,
    form=None,
    limits_form=None,
    nibp_form=None,
    note_form=None,
    defibrillator_form=None,
    team_form=None,
    action_form=None,
    status=200,
    **result_forms,
):
    state = services.monitor_state(session)
    role = session.role
    join_origin, join_origin_reason = lan.join_origin(request)
    join_url = join_origin + reverse("sessions:monitor", args=[session.code])
    ctx = {
        "session": session,
        "state": state,
        "form": form or VitalsForm(initial=VitalsForm.initial_from(session.last_values)),
        "limits_form": limits_form or AlarmLimitsForm(limits=session.alarm_limits),
        "nibp_form": nibp_form
        or NibpIntervalForm(initial={"minutes": session.nibp_interval_minutes}),
        "transitions": vitals.TRANSITIONS,
        "extensions": vitals.SESSION_EXTENSIONS,
        "alarm_rules": _alarm_rules(),
        "events": session.events.select_related("author")[: protocol.RECENT_EVENTS],
        "presets": _presets(session.profile),
        "profile_form": ProfileForm(initial={"profile": session.profile}),
        "scenario": scenarios.control_panel(session),
        "checklist": assessment.checklist(session),
        "action_form": action_form or LogActionForm(),
        "join_url": join_url,
        "join_origin_reason": join_origin_reason,
        "join_host": request.get_host(),
        # No code to scan for a link that only this computer opens.
        "join_qr": None
        if join_origin_reason in (lan.LOCAL_ONLY, lan.NO_NETWORK)
        else qr.svg(join_url, title=_("Scan to join session %(code)s") % {"code": session.code}),
        "note_form": note_form or NoteForm(),
        "notes": list(
            session.notes.select_related("author").order_by("-at", "-created_at")[:RECENT_NOTES]
        ),
        "defibrillator_form": defibrillator_form
        or DefibrillatorForm(settings=session.defibrillator),
        "treatment_events": session.events.filter(
            kind__in=SessionEvent.TREATMENT_KINDS
        )[:RECENT_TREATMENT],
        "results": _results_panel(session, **result_forms),
        "role": role,
        "role_label": access.ROLE_LABELS[role],
        "can_drive": access.can(role, access.DRIVE),
        "team": _team_panel(session, role, team_form),
    }
    return render(request, "sessions_app/control.html", ctx, status=status)


def _team_panel(session, role, form=None) -> dict:
    """The control page's Team card: who is on the session; for its owner, the forms."""
    members = list(session.members.select_related("trainer"))
    panel = {"owner": session.trainer, "members": members, "school": session.school}
    if access.can(role, access.MANAGE) and session.school is not None:
        form = form or TeamMemberForm(session=session)
        # Empty when the owner has left the school: then only removing is left.
        panel["form"] = form if form.fields["trainer"].queryset.exists() else None
    return panel


@login_required
def session_control(request, pk):
    return _render_control(request, _get_session(request, pk))


@csrf_exempt
def session_action(request, pk, name):
    """Any action of the control page, posted the classic way when its live link is down (the
    page's script sends the same actions over the socket otherwise; see actions.py), or an
    image result, which only comes this way (control.js posts it with fetch, for JSON)."""
    # Before anything reads the body, the CSRF check below included: an upload is watched as it
    # is read (uploads.py).
    request.upload_handlers.insert(0, uploads.ResultUploadHandler(request))
    return _session_action(request, pk, name)


@login_required
@require_POST
@csrf_protect
def _session_action(request, pk, name):
    session = _get_session(request, pk)
    kinds = actions.kinds_of(session.role)
    action = actions.for_sender(name, kinds)
    # A script's POST (control.js sends images so) is answered in JSON, not with a page.
    wants_json = request.headers.get("Accept") == "application/json"
    if action is None and actions.watch_only(name, kinds):
        return _watch_only(request, session, wants_json)
    if action is None:
        raise Http404
    payload = {}
    if action.form is not None:
        if action.uploads:
            form = action.form(
                request.POST, session, files=request.FILES, raw_names=request.raw_upload_names
            )
        else:
            form = action.form(request.POST, session)
        if not form.is_valid():
            if wants_json:
                errors = {field: errors[0] for field, errors in form.errors.items()}
                return JsonResponse({"errors": errors}, status=400)
            if action.form_context:
                return _render_control(request, session, status=400, **{action.form_context: form})
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("sessions:control", pk=session.pk)
        payload = form.cleaned_data
    try:
        done = actions.run(action, actions.Sender(session.pk, request.user), payload)
    except actions.Refused as refused:
        if wants_json:
            return JsonResponse({"errors": refused.errors, "ended": refused.ended}, status=400)
        if refused.ended:
            messages.error(request, _("This session has ended: the change was not stored."))
        else:
            for message in refused.errors.values():
                messages.error(request, message)
    else:
        if wants_json:
            return JsonResponse({"message": str(action.done), **done.reply})
        messages.success(request, action.done)
        for warning in done.reply.get("warnings", []):
            messages.warning(request, warning)
    return redirect("sessions:control", pk=session.pk)


def _watch_only(request, session, wants_json=False) -> HttpResponse:
    """403 for what the trainer's role only lets them watch: the page, saying why."""
    message = actions.read_only_message(actions.kinds_of(session.role))
    if wants_json:
        return JsonResponse({"errors": {"type": message}, "code": actions.READ_ONLY}, status=403)
    messages.error(request, message)
    return _render_control(request, session, status=403)


# Results: a screen gets them through its join code while the session is open, the trainer
# through the session, open or not (the debrief and the replay show them).


def _screen_result(request, code, result) -> tuple[SessionResult | None, HttpResponse | None]:
    """The result of an open session that `code` joins, or 404 (an ended session's too)."""
    session, refused = _attempt_join(request, code)
    if refused:
        return None, refused
    if session is None or not session.is_open():
        raise Http404
    return get_object_or_404(SessionResult, pk=result, session=session), None


def _card_response(result: SessionResult, image_url: str) -> HttpResponse:
    response = HttpResponse(fragments.result_card(result, image_url))
    # In the page's language: never shared, never served to another language from a cache.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _image_response(result: SessionResult) -> FileResponse:
    if not result.image:
        raise Http404
    response = FileResponse(result.image.open("rb"), content_type=result.content_type)
    response["Content-Disposition"] = f'inline; filename="result.{result.image_extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # An image never changes once sent; only this screen's browser may keep it.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def monitor_result(request, code, result):
    found, refused = _screen_result(request, code, result)
    if refused:
        return refused
    return _card_response(found, reverse("sessions:monitor_result_image", args=[code, found.pk]))


def monitor_result_image(request, code, result):
    found, refused = _screen_result(request, code, result)
    if refused:
        return refused
    return _image_response(found)


def _own_result(request, pk, result) -> SessionResult:
    return get_object_or_404(SessionResult, pk=result, session=_get_session(request, pk))


@login_required
def session_result(request, pk, result):
    found = _own_result(request, pk, result)
    return _card_response(found, reverse("sessions:result_image", args=[pk, found.pk]))


@login_required
def session_result_image(request, pk, result):
    return _image_response(_own_result(request, pk, result))


@login_required
@require_POST
def session_close(request, pk):
    session = _get_session(request, pk)
    if not access.can(session.role, access.DRIVE):
        return _watch_only(request, session)
    if services.close_session(session):
        messages.success(request, _("Session closed. The monitors show that it ended."))
    else:
        messages.info(request, _("This session had already ended."))
    return redirect("sessions:control", pk=session.pk)


# After the session (or during it): notes, the debrief, its export and the replay.


@login_required
@require_POST
def session_note(request, pk):
    """Add a note from the control page (about now) or the debrief (about a chosen moment)."""
    session = _get_session(request, pk)
    from_debrief = request.POST.get("return_to") == "debrief"
    duration = (session.ended_at() - session.created_at).total_seconds()
    form = NoteForm(request.POST, duration_seconds=duration)
    if not form.is_valid():
        if from_debrief:
            line = debrief.timeline(session)
            return _render_debrief(request, session, line, note_form=form, status=400)
        return _render_control(request, session, note_form=form, status=400)
    offset = form.cleaned_data["offset"]
    at = None if offset is None else session.created_at + datetime.timedelta(seconds=offset)
    services.add_note(session, form.cleaned_data["text"], at=at, author=request.user)
    messages.success(request, _("Note saved."))
    target = "sessions:debrief" if from_debrief else "sessions:control"
    return redirect(reverse(target, args=[session.pk]) + "#notes")


def _render_debrief(request, session, line, note_form=None, status=200):
    rows = debrief.rows(line)
    show_all = request.GET.get("all") == "1"
    per_page = max(len(rows), 1) if show_all else DEBRIEF_ROWS_PER_PAGE
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    debrief.row_details(line, page.object_list)
    ctx = {
        "session": session,
        "timeline": line,
        "plot": debrief.plot(line),
        "assessment": report.section(line, scoring.assess(session, line=line)),
        "rows": page,
        "show_all": show_all,
        "duration": debrief.format_offset(line.seconds(line.ended_at)),
        "note_form": note_form or NoteForm(),
        "replay_speeds": REPLAY_SPEEDS,
    }
    return render(request, "sessions_app/debrief.html", ctx, status=status)


@login_required
def session_debrief(request, pk):
    session = _get_session(request, pk)
    with debrief.no_cycle_collection():
        return _render_debrief(request, session, debrief.timeline(session))


@login_required
def session_export(request, pk):
    session = _get_session(request, pk)
    # The page's language (LocaleMiddleware: the switcher's cookie, else the browser's).
    style = debrief.CsvStyle.for_language(translation.get_language())
    chunks = debrief.csv_chunks(session, style)
    if isinstance(request, ASGIRequest):
        chunks = _from_request_thread(chunks)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{debrief.csv_filename(session)}"'
    return response


async def _from_request_thread(chunks):
    """Under ASGI (daphne) Django streams only an async iterator, and reads a plain one whole
    before the first byte: each chunk is made in the request's thread, with its database
    connection."""
    next_chunk = sync_to_async(next)
    while (chunk := await next_chunk(chunks, None)) is not None:
        yield chunk


@login_required
def session_replay(request, pk):
    """The monitor page, fed by the stored events at `speed` instead of the live socket.

    `at` (seconds) and `paused` are where the replay's controls stood when they reloaded the page
    to go back in time (see replay.js)."""
    session = _get_session(request, pk)
    requested = request.GET.get("speed")
    speed = next((speed for speed in REPLAY_SPEEDS if str(speed) == requested), 1)
    seconds = math.ceil(debrief.replay_seconds(session))
    at = min(debrief.parse_seconds(request.GET.get("at", "")) or 0, seconds)
    ctx = {
        "session": session,
        "state": debrief.replay_snapshot(session),
        "values": None,
        "alarm_rules": _alarm_rules(),
        "rhythms": vitals.RHYTHMS,
        "replay_src": reverse("sessions:replay_json", args=[session.pk]),
        "results_url": results_url(session),
        "replay_speed": speed,
        "replay_at": at,
        "replay_paused": request.GET.get("paused") == "1",
        "replay_seconds": seconds,
        "replay_at_text": debrief.format_offset(at),
        "replay_duration": debrief.format_offset(seconds),
        # What the faculty logged, listed as the replay passes it (replay.js).
        "replay_actions": debrief.replay_actions(session),
    }
    return render(request, "sessions_app/replay.html", ctx)


@login_required
def session_replay_json(request, pk):
    chunks = debrief.replay_chunks(_get_session(request, pk))
    if isinstance(request, ASGIRequest):
        chunks = _from_request_thread(chunks)
    return StreamingHttpResponse(chunks, content_type="application/json")
