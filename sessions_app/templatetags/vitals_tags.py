from django import template
from django.utils.html import json_script
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sessions_app import fragments
from simulator import protocol, vitals

register = template.Library()


@register.filter
def rhythm_label(rhythm: str) -> str:
    return vitals.RHYTHMS.get(rhythm, rhythm)


@register.filter
def mean_arterial_pressure(values: dict) -> int:
    return vitals.mean_arterial_pressure(values["systolic"], values["diastolic"])


@register.filter
def shown(values: dict | None, field: str) -> str:
    """A tile's number, or nothing (not zero) when its sensor is disconnected or absent."""
    if not values or is_hidden(values, vitals.PARAMETER_OF.get(field, field)):
        return ""
    value = values.get(field)
    return "" if value is None else fragments.number_text(field, value)


@register.filter
def is_hidden(values: dict | None, parameter: str) -> bool:
    return bool(values) and parameter in values["flags"].get("hidden", [])


@register.filter
def clock_time(iso: str | None) -> str:
    """HH:MM of a server timestamp, in the site's time zone (the screen redraws it in its own)."""
    moment = parse_datetime(iso) if iso else None
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


@register.simple_tag
def limit_rows(form) -> list[dict]:
    """The alarm limits form as rows: one parameter each, with its low and high fields."""
    return [
        {
            "name": name,
            "label": vitals.LABELS[name],
            "low": form[f"{name}_low"],
            "high": form[f"{name}_high"],
        }
        # In the usual order, not the stored one (PostgreSQL's jsonb sorts keys by length).
        for name in sorted(form.parameters, key=list(vitals.DEFAULT_ALARM_LIMITS).index)
    ]


@register.simple_tag
def protocol_json():
    """The protocol's constants (close codes, fields, sensors) for the page's scripts."""
    return json_script(protocol.constants(), "protocol")


# Rendered in Python, for the page and the control socket alike (see sessions_app/fragments.py).
register.simple_tag(fragments.values_summary, name="values_summary")
register.simple_tag(fragments.event_row, name="event_row")
register.simple_tag(fragments.moving_rows, name="trend_rows")
register.filter("transition_label", fragments.transition_label)
register.filter("parameter_labels", fragments.parameter_labels)
