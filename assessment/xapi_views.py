"""The xAPI export: the debrief's download, and the URLs a school's LMS fetches with a key
(docs/xapi.md)."""

import functools
import json
import uuid

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from assessment import lms, xapi
from schools import access

# Sessions per page of the LMS's list: each is some twenty statements.
LMS_PAGE_SIZE = 20
LMS_MAX_PAGE_SIZE = 100


def _xapi_headers(response: HttpResponse) -> HttpResponse:
    response["X-Experience-API-Version"] = xapi.XAPI_VERSION
    # Statements of someone's training: no shared cache keeps them.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def session_xapi(request, pk):
    """The debrief's download: the session's statements as a JSON array, what an LRS's
    statements resource takes in one POST."""
    session, _role = access.session_for(request.user, pk)
    statements = xapi.statements(session, xapi.site_url(request))
    response = HttpResponse(
        json.dumps(statements, ensure_ascii=False, indent=2), content_type="application/json"
    )
    day = timezone.localtime(session.created_at).date().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="shiller-{session.code}-{day}-xapi.json"'
    )
    return _xapi_headers(response)


# The learning platform's URLs: a bearer key (assessment/lms.py), never the cookie session,
# so a page elsewhere cannot make a trainer's browser fetch them (and they are read-only).


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="shiller-xapi"'
    return response


def _lms(view):
    """Authenticate the bearer key, and answer every refusal as JSON."""

    # A key, never the cookie: no CSRF token to ask for, and a refusal is JSON like the rest.
    @functools.wraps(view)
    @csrf_exempt
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            response = _error(405, _("Only GET: these URLs are read, never written."))
            response["Allow"] = "GET"
            return _xapi_headers(response)
        try:
            trainer = lms.authenticate(request.headers.get("Authorization", ""))
            response = view(request, trainer, *args, **kwargs)
        except lms.Refused as refusal:
            response = _error(refusal.status, str(refusal.message))
        except Http404:
            response = _error(404, _("No such session among those this key opens."))
        response["Vary"] = "Authorization"
        return _xapi_headers(response)

    return wrapper


def _statement_result(statements: list[dict], more: str = "") -> JsonResponse:
    """xAPI's StatementResult (§2.5 of the data part): the statements, and where the next
    page is ("" when none)."""
    return JsonResponse(
        {"statements": statements, "more": more}, json_dumps_params={"ensure_ascii": False}
    )


@_lms
def lms_session_statements(request, trainer, pk):
    session, _role = access.session_for(trainer, pk)
    if session.is_open():
        return _error(
            409, _("This session is still running: its statements are final once it ends.")
        )
    return _statement_result(xapi.statements(session, xapi.site_url(request)))


@_lms
def lms_statements(request, trainer):
    """The statements of the sessions that ended after `since` (ISO 8601), oldest end first,
    `limit` sessions a page; `more` carries on from the last one (its end and id)."""
    since = request.GET.get("since")
    after = request.GET.get("after")
    try:
        since_at = parse_datetime(since) if since else None
    except ValueError:  # the shape of a time, not a time: 2026-13-45T99:00:00Z
        since_at = None
    if since and (since_at is None or since_at.tzinfo is None):
        return _error(
            400, _("since is an ISO 8601 time with its offset, e.g. 2026-12-01T00:00:00Z.")
        )
    try:
        after_id = uuid.UUID(after) if after and since_at else None
    except ValueError:
        return _error(400, _("after is the id of a session, as the more link gives it."))
    try:
        limit = int(request.GET.get("limit", LMS_PAGE_SIZE))
    except ValueError:
        limit = 0
    if not 1 <= limit <= LMS_MAX_PAGE_SIZE:
        return _error(400, _("limit is a number from 1 to %(max)s.") % {"max": LMS_MAX_PAGE_SIZE})
    now = timezone.now()
    # When each ended: closed, or expired without anyone closing it (expire_sessions stamps
    # closed_at = expires_at, so the value does not move when it does).
    sessions = (
        access.sessions_for(trainer)
        .annotate(ended=Coalesce("closed_at", "expires_at"))
        .filter(Q(closed_at__isnull=False) | Q(expires_at__lte=now))
        .select_related("template", "school")
        .order_by("ended", "id")
    )
    if since_at is not None:
        later = Q(ended__gt=since_at)
        if after_id is not None:
            later |= Q(ended=since_at, id__gt=after_id)
        sessions = sessions.filter(later)
    page = list(sessions[: limit + 1])
    more = ""
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        query = {"since": last.ended.isoformat(), "after": str(last.pk), "limit": limit}
        more = f"{reverse('assessment:lms_statements')}?{urlencode(query)}"
    base = xapi.site_url(request)
    statements = [
        statement
        for of_session in xapi.statements_of_many(page, base, now)
        for statement in of_session
    ]
    return _statement_result(statements, more)
