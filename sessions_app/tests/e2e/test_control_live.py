"""The control page follows each change with the rows the server renders in its language: what
the script inserts is what a reload shows (sessions_app/fragments.py)."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT, open_control
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def rows_html(page) -> str:
    return re.sub(r">\s+<", "><", page.locator("#event-rows").inner_html().strip())


@pytest.mark.parametrize(
    "locale, sent, summary, kind",
    [
        ("en-US", "Values sent to the monitors.", "HR 123", "Values changed"),
        ("fr-FR", "Valeurs envoyées aux scopes.", "FC 123", "Valeurs modifiées"),
    ],
)
def test_a_change_shows_the_servers_rows_in_the_pages_language(
    chromium, server, alice, locale, sent, summary, kind
):
    session = make_session(alice)
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    control = open_control(context.new_page(), alice, session)
    control.locator("#vitals-form [name=heart_rate]").fill("123")
    control.locator("#vitals-form button.primary").click()
    expect(control.locator("#send-status")).to_have_text(sent)
    expect(control.locator("#current-values")).to_contain_text(summary)
    first_row = control.locator("#event-rows tr").first
    expect(first_row.locator("td").nth(1)).to_have_text(kind)
    expect(first_row.locator("td").nth(4)).to_have_text("123")  # after who did it and BP
    live = rows_html(control)
    control.reload()
    assert rows_html(control) == live
    context.close()


def test_in_french_a_temperature_typed_with_a_comma_is_sent_and_shown_the_french_way(
    chromium, server, alice
):
    session = make_session(alice)
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale="fr-FR")
    control = open_control(context.new_page(), alice, session)
    control.locator("#vitals-form [name=temperature]").fill("37,5")
    control.locator("#vitals-form button.primary").click()
    expect(control.locator("#send-status")).to_have_text("Valeurs envoyées aux scopes.")
    expect(control.locator("#current-values")).to_contain_text("Temp. 37,5")
    expect(control.locator("#event-rows tr").first.locator("td").nth(8)).to_have_text("37,5")
    session.refresh_from_db()
    assert session.last_values["temperature"] == 37.5
    context.close()
