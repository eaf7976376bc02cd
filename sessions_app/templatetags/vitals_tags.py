from django import template
from django.utils.html import format_html, json_script

from sessions_app import debrief, fragments
from sessions_app import page_text as page_text_module
from simulator import protocol, vitals

register = template.Library()


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
def page_text(page: str):
    """What the page's script says, in the page's language (sessions_app/page_text.py)."""
    return json_script(page_text_module.PAGES[page](), "page-text")


@register.simple_tag
def protocol_json():
    """The protocol's constants the page's scripts read (close codes, row count)."""
    return json_script(protocol.for_pages(), "protocol")


# Rendered in Python, for the page and the control socket alike (see sessions_app/fragments.py).
register.simple_tag(fragments.values_summary, name="values_summary")
register.simple_tag(fragments.event_row, name="event_row")
register.simple_tag(fragments.moving_rows, name="moving_rows")
register.simple_tag(fragments.trend_rows, name="trend_rows")
register.simple_tag(fragments.note_item, name="note_item")
register.simple_tag(fragments.screen_list, name="screen_list")
register.simple_tag(fragments.event_label, name="event_label")
register.simple_tag(fragments.event_author, name="event_author")
register.simple_tag(fragments.shock_rule, name="shock_rule")
register.simple_tag(fragments.device_summary, name="device_summary")
register.simple_tag(fragments.treatment_news, name="treatment_news")
register.simple_tag(debrief.result_card, name="result_card")
register.simple_tag(fragments.result_summary, name="result_summary")
register.simple_tag(fragments.recognised_mark, name="recognised_mark")


@register.simple_tag(takes_context=True)
def logged_item(context, message: dict, now=None):
    """fragments.logged_item on the page: its Undo form carries the page's CSRF token."""
    token = context.get("csrf_token")
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token) if token else ""
    return fragments.logged_item(message, csrf, now)
