"""The control page's live fragments: what a broadcast changes on the page, rendered by the server
in the page's language, so the browser inserts them rather than rebuilding them (the control
socket adds them to each message it relays).

The event row, the values summary and the trend rows are rendered here in Python for the page
too (the `event_row`, `values_summary` and `trend_rows` tags): a control page shows 20 rows, a
debrief one per event, and the socket one per change per control page, so they are the hot
path a template would be about ten times slower on.
"""

import html

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sessions_app import results, screens
from sessions_app.models import SessionEvent, SessionResult
from simulator import vitals

# The broadcasts that store an event, by their type (a change of values carries its kind).
EVENT_TYPES = {kind for kind in SessionEvent.KINDS if kind not in SessionEvent.VALUE_KINDS}
EVENT_TYPES.update({"vitals", "treatment"})


def author_text(by: dict | None, names: dict[str, str] | None = None) -> str:
    """Who did it, as a message's `by` says (SessionEvent.by): a trainer by name (`names`, the
    session's faculty by id), a trainee screen by the name typed on it, or Shiller itself."""
    if not by:
        return _("Shiller (automatic)")
    if "trainer" in by:
        return (names or {}).get(by["trainer"]) or _("A colleague")
    if by.get("label"):
        return _("Screen “%(name)s”") % {"name": by["label"]}
    return _("A trainee screen")


def event_author(event: SessionEvent) -> str:
    """author_text of a stored event: its author's name now (select_related("author"))."""
    if event.author_id is not None:
        return event.author.display_name
    return author_text(event.by())


def for_message(message: dict, names: dict[str, str] | None = None) -> dict | None:
    """{"event_row": html} for a message that stored an event, plus "current_values" and
    "trend_rows" for a change of values, {"note_item": html} for a note; None for any other
    message. `names`: the faculty's, by id (author_text). Renders in the active language and
    time zone."""
    if message.get("type") == "note":
        return {"note_item": note_item(_NoteShown(message), message.get("author", ""))}
    if message.get("type") == "action_logged":
        return {"logged_item": logged_item(message)}
    if message.get("type") not in EVENT_TYPES:
        return None
    values = message.get("values") or {}
    trend = message.get("trend")
    event = SessionEvent(
        # A change of values and a treatment say their event's kind; a result's message has a
        # kind of its own (blood_gas...): its event's kind is "result".
        kind=message["kind"] if message["type"] in ("vitals", "treatment") else message["type"],
        created_at=parse_datetime(message["at"]),
        detail=message.get("detail") or {},
        flags=values.get("flags", {}),
        transition_seconds=trend["seconds"] if trend else 0,
        **{field: values.get(field) for field in vitals.NUMBER_FIELDS},
    )
    fragments = {"event_row": event_row(event, author_text(message.get("by"), names))}
    if message["type"] == SessionEvent.RESULT:
        fragments["result_item"] = result_item(SessionResult(
            id=message["result"], kind=message["kind"], title=message["title"],
            created_at=event.created_at,
        ))  # fmt: skip
    if message["type"] == "vitals":
        fragments["current_values"] = values_summary(values)
        fragments["trend_rows"] = trend_rows(moving_rows({"values": values, "trend": trend}))
    if message["type"] == "treatment":
        fragments["treatment"] = treatment_news(event, message.get("defibrillator"))
        fragments["device"] = device_summary(message["treatment"], message.get("defibrillator") or {})
    return fragments


def values_summary(values: dict) -> str:
    """A change's values on one line: "BP 120/80 · HR 75 · SpO2 98 · … · Sinus rhythm"."""
    # gettext calls stand alone, never inside an f-string: xgettext cannot read those.
    bp, hr, rr, temp = _("BP"), _("HR"), _("RR"), _("Temp")
    flags = values.get("flags") or {}
    parts = [
        f"{bp} {values.get('systolic')}/{values.get('diastolic')}",
        f"{hr} {values.get('heart_rate')}",
        f"SpO2 {values.get('spo2')}",
    ]
    if values.get("respiratory_rate") is not None:
        parts.append(f"{rr} {values['respiratory_rate']}")
    if values.get("etco2") is not None:
        parts.append(f"EtCO2 {values['etco2']}")
    if values.get("temperature") is not None:
        parts.append(f"{temp} {number_text('temperature', values['temperature'])}")
    if invasive := invasive_text(values):
        parts.append(invasive)
    parts.append(rhythm_label(flags))
    if flags.get("alarm"):
        parts.append(_("alarm"))
    if flags.get("spo2_probe_off"):
        parts.append(_("probe off"))
    if flags.get("ecg_leads_off"):
        parts.append(_("leads off"))
    if flags.get("no_pulse"):
        parts.append(_("no pulse"))
    if flags.get("hidden"):
        not_connected = _("not connected:")
        parts.append(f"{not_connected} {parameter_labels(flags['hidden'])}")
    return format_html('<span class="summary">{}</span>', " · ".join(parts))


def invasive_text(values: dict) -> str:
    """The lines a patient has: "ABP 118/70 (86) · CVP 8", or "" without any."""
    abp, cvp = _("ABP"), _("CVP")
    parts = []
    if values.get("abp_systolic") is not None and values.get("abp_diastolic") is not None:
        mean = vitals.mean_arterial_pressure(values["abp_systolic"], values["abp_diastolic"])
        parts.append(f"{abp} {values['abp_systolic']}/{values['abp_diastolic']} ({mean})")
    if values.get("cvp") is not None:
        parts.append(f"{cvp} {values['cvp']}")
    return " · ".join(parts)


def rhythm_label(flags: dict) -> str:
    rhythm = flags.get("rhythm") or ""
    return str(vitals.RHYTHMS.get(rhythm, rhythm))


def clock(moment, format: str = "H:i:s") -> str:
    """A moment as the control page's rows write it: the site's time zone, to the second."""
    return dateformat.time_format(timezone.localtime(moment), format)


def event_label(event: SessionEvent) -> str:
    """What the event was, as its row says it: the kind, and for the trainee's treatment what
    was done ("Shock: 200 J, on Ventricular fibrillation, from Bed 3 (iPad · Safari)")."""
    if event.kind in SessionEvent.TREATMENT_KINDS:
        return treatment_text(event.kind, event.detail)
    return str(event.kind_label())


def treatment_text(kind: str, detail: dict, settings: dict | None = None) -> str:
    """One sentence for a treatment event, in the active language."""
    screen = detail.get("screen")
    match kind:
        case SessionEvent.SHOCK:
            text = (
                _("Synchronised shock: %(joules)s J, on %(rhythm)s")
                if detail["sync"]
                else _("Shock: %(joules)s J, on %(rhythm)s")
            ) % {"joules": detail["joules"], "rhythm": rhythm_label({"rhythm": detail.get("rhythm")})}
            if detail.get("mode") == "aed":
                text = _("AED %(shock)s") % {"shock": text}
            if detail.get("cpr"):
                text = _("%(shock)s, during compressions") % {"shock": text}
            if "goes_to_step" in detail:
                text = _("%(shock)s: the scenario goes to step %(number)s") % {
                    "shock": text,
                    "number": detail["goes_to_step"] + 1,
                }
        case SessionEvent.CHARGED:
            text = (
                _("Charged to %(joules)s J, Sync on") if detail["sync"] else _("Charged to %(joules)s J")
            ) % {"joules": detail["joules"]}
        case SessionEvent.DISARMED:
            text = _("Disarmed (%(joules)s J)") % {"joules": detail["joules"]}
        case SessionEvent.ANALYSED:
            advice = _("shock advised") if detail["advice"] == "shock" else _("no shock advised")
            text = _("AED analysis: %(advice)s (%(rhythm)s)") % {
                "advice": advice,
                "rhythm": rhythm_label({"rhythm": detail.get("rhythm")}),
            }
        case SessionEvent.PADS:
            text = _("Pads connected") if detail["connected"] else _("Pads removed")
        case SessionEvent.PACER:
            if not detail["on"]:
                text = _("Pacing stopped")
            else:
                text = (
                    _("Pacing %(mode)s %(rate)s/min at %(ma)s mA: captures")
                    if detail["captured"]
                    else _("Pacing %(mode)s %(rate)s/min at %(ma)s mA: no capture")
                ) % {
                    "mode": _("on demand") if detail["mode"] == "demand" else _("fixed"),
                    "rate": detail["rate"],
                    "ma": detail["ma"],
                }
        case SessionEvent.CPR:
            text = _("Compressions started") if detail["on"] else _("Compressions stopped")
        case _:
            settings = settings or detail
            text = _("Trainee's monitor: %(mode)s") % {"mode": mode_label(settings.get("mode"))}
    if screen:
        text = _("%(what)s, from %(screen)s") % {"what": text, "screen": screens.label(screen)}
    return text


def treatment_news(event: SessionEvent, settings: dict | None = None) -> str:
    """A line of the cockpit's treatment card, the newest first."""
    return format_html(
        '<p class="treatment-news" data-kind="{}"><time>{}</time> {}</p>',
        event.kind,
        clock(event.created_at),
        treatment_text(event.kind, event.detail, settings),
    )


def shock_rule(rule: dict) -> str:
    """A step's rule for a shock, as the template and the cockpit's steps say it."""
    which = {True: _("a synchronised shock"), False: _("an unsynchronised shock")}.get(
        rule.get("sync"), _("a shock")
    )
    values = {"which": which, "joules": rule["min_joules"], "number": rule["go_to"] + 1}
    if rule["after_seconds"]:
        text = _("On %(which)s of at least %(joules)s J: step %(number)s after %(seconds)s s")
        return text % {**values, "seconds": rule["after_seconds"]}
    return _("On %(which)s of at least %(joules)s J: step %(number)s at once") % values


def mode_label(mode: str | None) -> str:
    return {"manual": _("manual defibrillator"), "aed": _("AED")}.get(mode, _("monitor only"))


def device_summary(state: dict, settings: dict) -> str:
    """The device as the cockpit shows it: mode, charge, pacer, CPR."""
    parts = [mode_label(settings.get("mode"))]
    if charge := state.get("charge"):
        parts.append(_("charge %(joules)s J") % {"joules": charge["joules"]})
    if state.get("pads"):
        parts.append(_("pads on"))
    if pacer := state.get("pacer"):
        parts.append(_("pacer %(rate)s/min %(ma)s mA") % {"rate": pacer["rate"], "ma": pacer["ma"]})
    if cpr := state.get("cpr"):
        parts.append(_("CPR since %(time)s") % {"time": clock(parse_datetime(cpr["since"]))})
    if pending := state.get("pending_step"):
        parts.append(
            _("step %(number)s at %(time)s")
            % {"number": pending["index"] + 1, "time": clock(parse_datetime(pending["at"]))}
        )
    return format_html(
        '<span class="device-summary" data-cpr-since="{}">{}</span>',
        (state.get("cpr") or {}).get("since", ""),
        " · ".join(str(part) for part in parts),
    )


def event_row(event: SessionEvent, author: str | None = None) -> str:
    """A row of the control page's events, its time in the site's time zone; `author` as
    author_text says, else the stored event's (event_author)."""
    flags = event.flags or {}
    cells = [
        clock(event.created_at),
        event_label(event),
        # Beside what was done, in sight without scrolling the table.
        event_author(event) if author is None else author,
        "" if event.systolic is None else f"{event.systolic}/{event.diastolic}",
        *("" if value is None else value for value in (
            event.heart_rate, event.spo2, event.respiratory_rate, event.etco2
        )),  # fmt: skip
        "" if event.temperature is None else number_text("temperature", event.temperature),
        invasive_text(event.values),
        rhythm_label(flags),
        "✓" if flags.get("alarm") else "",
        transition_label(event.transition_seconds),
    ]
    # The standard library's escape, as django.utils.html.escape does, without its lazy wrapper
    # on each of the twelve cells.
    row = "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells)
    return mark_safe(f'<tr data-kind="{html.escape(event.kind)}">{row}</tr>')


def trend_rows(moving: list[dict]) -> str:
    """The rows of the trend in progress: from, now (control.js fills it), to."""
    return mark_safe(
        "".join(
            f'<tr data-field="{row["name"]}"><th scope="row">{html.escape(str(row["label"]))}</th>'
            f'<td>{row["from"]}</td><td class="trend-now"></td><td>{row["to"]}</td></tr>'
            for row in moving
        )
    )


def transition_label(seconds: int) -> str:
    """A trend's duration as the control page's presets name it, else in seconds."""
    if not seconds:
        return ""
    label = vitals.TRANSITIONS.get(seconds)
    return str(label) if label else f"{seconds} s"


def parameter_labels(names: list[str]) -> str:
    return ", ".join(str(vitals.PARAMETERS.get(name, name)) for name in names)


def number_text(name: str, value) -> str:
    """A number for a person, in the page's locale: the temperature with one decimal (36,8 in
    French)."""
    return formats.number_format(float(value), 1) if name == "temperature" else str(value)


def moving_rows(state: dict) -> list[dict]:
    """What a trend in progress moves: one row per number whose start and target differ."""
    trend, target = state.get("trend"), state.get("values")
    if not trend or not target:
        return []
    return [
        {
            "name": name,
            "label": vitals.LABELS[name],
            "from": number_text(name, trend["from"].get(name)),
            "to": number_text(name, target.get(name)),
        }
        for name in vitals.NUMBER_FIELDS
        if trend["from"].get(name) is not None
        and target.get(name) is not None
        and trend["from"].get(name) != target.get(name)
    ]


def screen_list(count: int, described: list[dict]) -> str:
    """The connected screens, oldest first: what each is, since when, when last heard."""
    if not count:
        return format_html('<p class="muted">{}</p>', _("No screen has joined yet."))
    items = [
        format_html(
            '<li data-screen="{}"><span class="screen-label">{}</span> '
            '<span class="muted">{}</span></li>',
            screen["id"],
            screens.label(screen),
            _("since %(since)s · last seen %(seen)s")
            % {
                "since": clock(parse_datetime(screen["since"]), "H:i"),
                "seen": clock(parse_datetime(screen["last_seen"])),
            },
        )
        for screen in described
    ]
    more = count - len(described)
    if more > 0:
        items.append(format_html('<li class="muted">{}</li>', _("and %(count)s more") % {"count": more}))
    return format_html('<ul class="screens" id="screen-items">{}</ul>', mark_safe("".join(items)))


def elapsed_text(seconds: int) -> str:
    """Time from the scenario's start as the checklist says it: "+02:14", "+1:02:14"."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"+{hours}:{minutes:02}:{seconds:02}" if hours else f"+{minutes:02}:{seconds:02}"


def _done_tick() -> str:
    return format_html(
        '<span class="done-tick" aria-hidden="true">✓</span><span class="visually-hidden">{}</span>',
        _("done"),
    )


def logged_item(message: dict, csrf_input: str = "", now=None) -> str:
    """A logged action (as assessment.services reports it) in the control page's checklist: an
    expected one's mark beside it (when from the scenario's start, by whom), another's row in
    the list of unexpected actions, with its name. With an Undo button until `undo_until`
    (control.js takes it away then; `now`: the page is rendered at that moment)."""
    logged = message["logged"]
    until = parse_datetime(message["undo_until"])
    undo = ""
    if now is None or now < until:
        undo = format_html(
            '<form method="post" action="{}" class="inline undo-form" id="undo-{}"'
            ' data-action="undo_action" data-until="{}">{}'
            '<input type="hidden" name="logged" value="{}">'
            '<button type="submit" class="undo">{}</button>'
            '<span class="send-status" role="status" data-status-for="undo-{}"></span></form>',
            reverse("sessions:action", args=[message["session"], "undo_action"]),
            logged,
            message["undo_until"],
            csrf_input,
            logged,
            _("Undo"),
            logged,
        )
    when = format_html(
        '<time datetime="{}" title="{}">{}</time>',
        message["at"],
        clock(parse_datetime(message["at"])),
        elapsed_text(message["elapsed"]),
    )
    author = format_html(
        '<span class="logged-author">{}</span>', message["author"] or _("A colleague")
    )
    if message["expected"]:
        return format_html(
            '<span class="logged-mark" data-logged="{}">{} {} · {} {}</span>',
            logged, _done_tick(), when, author, undo,
        )  # fmt: skip
    return format_html(
        '<li class="logged-free" data-logged="{}">{} <span class="logged-name">{}</span> · {} {}</li>',
        logged, when, message["name"], author, undo,
    )  # fmt: skip


def recognised_mark(elapsed: int, what) -> str:
    """An expected action Shiller saw done in the session's events (a shock, CPR started)."""
    return format_html(
        '<span class="logged-mark recognised">{} <time>{}</time> · {}</span>',
        _done_tick(),
        elapsed_text(elapsed),
        _("recognised: %(what)s") % {"what": what},
    )


class _NoteShown:
    """A note as its message tells it (services.add_note), for note_item."""

    def __init__(self, message: dict):
        self.id = message["note"]
        self.at = parse_datetime(message["at"])
        self.text = message.get("text", "")


def note_item(note, author: str | None = None) -> str:
    """A note as the control page lists it, with who wrote it (includes/control_notes.html for
    the page); the list is keyed by the note's id, so a note arriving twice shows once."""
    if author is None:
        author = note.author.display_name if getattr(note, "author_id", None) else ""
    return format_html(
        '<li data-note="{}"><time datetime="{}">{}</time> <span class="note-author">{}</span> {}</li>',
        note.id,
        timezone.localtime(note.at).isoformat(),
        clock(note.at),
        author,
        note.text,
    )


def result_item(result: SessionResult, card: str = "") -> str:
    """A result in the control page's list of those sent: its time, kind and title over its
    card (the page renders it; for a result just sent control.js fetches it when opened)."""
    # "Blood gas", or "Image · Chest X-ray" when it has a title of its own.
    name = f"{result.kind_label()} · {result.display_title()}" if result.title else result.kind_label()
    return format_html(
        '<li data-result="{}"><details class="result-item"><summary>'
        '<time datetime="{}">{}</time> {}</summary>{}</details></li>',
        result.id,
        result.created_at.isoformat(),
        clock(result.created_at),
        name,
        card,
    )


def result_number(value, decimals: int) -> str:
    """A result's number for a person, in the page's locale (7,21 in French), as many decimals
    as the lab prints."""
    if not isinstance(value, int | float):
        return str(value)
    return formats.number_format(value, decimals)


def result_range(row: dict) -> str:
    """"7,35–7,45", "< 11,4" or "> 60", in the page's locale; "" without limits."""
    decimals = row.get("range_decimals", row.get("decimals", 0))
    low, high = row.get("low"), row.get("high")
    if low is not None and high is not None:
        return f"{result_number(low, decimals)}–{result_number(high, decimals)}"
    if high is not None:
        return f"< {result_number(high, decimals)}"
    if low is not None:
        return f"> {result_number(low, decimals)}"
    return ""


def result_rows(result: SessionResult) -> list[dict]:
    """A result's rows as the card prints them, in the active language."""
    shown = []
    for row in result.rows:
        analyte = results.ANALYTES.get(row.get("analyte"))
        flag = row.get("flag") or ""
        shown.append(
            {
                "name": analyte.label if analyte else result.text(row.get("name", "")),
                "value": result_number(row["value"], row.get("decimals", 0)),
                "unit": row.get("unit", ""),
                "range": result_range(row),
                "flag": flag,
                "flag_label": results.FLAGS.get(flag, ""),
                "flag_title": results.FLAG_TITLES.get(flag, ""),
            }
        )
    return shown


def result_card(result: SessionResult, image_url: str | None) -> str:
    """The card a screen, the control page and the debrief show, in the active language."""
    ctx = {
        "result": result,
        "title": result.display_title(),
        "kind_label": result.kind_label(),
        "at": clock(result.created_at, "H:i"),
        "rows": result_rows(result),
        "comment": result.text(result.comment),
        "image_url": image_url if result.image else None,
    }
    return render_to_string("sessions_app/includes/result_card.html", ctx)


def result_summary(result: dict, translate=str) -> str:
    """A result a step carries, on one line: "Blood gas: pH 7,21 L · Lactate 4,8 mmol/L H"
    (`translate`: the template's shipped_text, for a shipped template's words)."""
    rows = []
    for row in result["rows"]:
        analyte = results.ANALYTES.get(row.get("analyte"))
        name = analyte.label if analyte else translate(row.get("name", ""))
        value = result_number(row["value"], row.get("decimals", 0))
        flag = str(results.FLAGS.get(row.get("flag"), ""))
        rows.append(" ".join(str(part) for part in (name, value, row.get("unit"), flag) if part))
    head = translate(result["title"]) or str(results.KINDS[result["kind"]])
    text = " · ".join([*rows, translate(result["comment"])] if result["comment"] else rows)
    return f"{head}: {text}"
