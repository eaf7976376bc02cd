from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from simulator import vitals

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
    return "" if value is None else _number(field, value)


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


def _number(name: str, value) -> str:
    return f"{value:.1f}" if name == "temperature" else str(value)


@register.simple_tag
def trend_rows(state: dict) -> list[dict]:
    """What a trend in progress moves: one row per number whose start and target differ."""
    trend, target = state.get("trend"), state.get("values")
    if not trend or not target:
        return []
    return [
        {
            "name": name,
            "label": vitals.LABELS[name],
            "from": _number(name, trend["from"].get(name)),
            "to": _number(name, target.get(name)),
        }
        for name in vitals.NUMBER_FIELDS
        if trend["from"].get(name) is not None
        and target.get(name) is not None
        and trend["from"].get(name) != target.get(name)
    ]


@register.filter
def transition_label(seconds: int) -> str:
    """A trend's duration as the control page's presets name it, else in seconds."""
    if not seconds:
        return ""
    label = vitals.TRANSITIONS.get(seconds)
    return str(label) if label else f"{seconds} s"


@register.filter
def parameter_labels(names: list[str]) -> str:
    return ", ".join(str(vitals.PARAMETERS.get(name, name)) for name in names)
