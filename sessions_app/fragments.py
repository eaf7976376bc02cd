"""The control page's live fragments: what a broadcast changes on it, rendered by the server in
the page's language with the templates the page itself is rendered with, so the browser inserts
them rather than rebuilding them (the control socket adds them to each message it relays)."""

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime

from sessions_app.models import SessionEvent
from sessions_app.templatetags.vitals_tags import trend_rows
from simulator import vitals

# The broadcasts that store an event, by their type (a change of values carries its kind).
EVENT_TYPES = {kind for kind in SessionEvent.KINDS if kind not in SessionEvent.VALUE_KINDS}
EVENT_TYPES.add("vitals")


def for_message(message: dict) -> dict | None:
    """{"event_row": html} for a message that stored an event, plus "current_values" and
    "trend_rows" for a change of values; None for any other message. Renders in the active
    language and time zone."""
    if message.get("type") not in EVENT_TYPES:
        return None
    values = message.get("values") or {}
    trend = message.get("trend")
    event = SessionEvent(
        kind=message.get("kind", message["type"]),
        created_at=parse_datetime(message["at"]),
        flags=values.get("flags", {}),
        transition_seconds=trend["seconds"] if trend else 0,
        **{field: values.get(field) for field in vitals.NUMBER_FIELDS},
    )
    fragments = {"event_row": render_to_string("includes/event_row.html", {"event": event})}
    if message["type"] == "vitals":
        fragments["current_values"] = render_to_string(
            "sessions_app/values_summary.html", {"values": values}
        )
        fragments["trend_rows"] = render_to_string(
            "sessions_app/includes/trend_rows.html",
            {"moving": trend_rows({"values": values, "trend": trend})},
        )
    return fragments
