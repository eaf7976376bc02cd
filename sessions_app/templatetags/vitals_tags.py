from django import template

from sessions_app import vitals

register = template.Library()


@register.filter
def rhythm_label(rhythm: str) -> str:
    return vitals.RHYTHMS.get(rhythm, rhythm)


@register.filter
def mean_arterial_pressure(values: dict) -> int:
    return vitals.mean_arterial_pressure(values["systolic"], values["diastolic"])
