"""An arterial line and a CVP set from the cockpit appear in its mirror, in the conventional
sys/dia (mean) form, and go away when disconnected; in English and in French."""

import pytest
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import log_in
from shiller.tests.factory import AT_REST, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "locale, sent, disconnect_label",
    [
        ("en-US", "Values sent to the monitors.", "Arterial line (ABP)"),
        ("fr-FR", "Valeurs envoyées aux scopes.", "Ligne artérielle (PA invasive)"),
    ],
)
def test_an_arterial_line_set_from_the_cockpit_shows_in_the_mirror(
    chromium, server, alice, locale, sent, disconnect_label
):
    session = make_session(alice, last_values=AT_REST)
    context = chromium.new_context(base_url=server, viewport={"width": 1440, "height": 900}, locale=locale)
    control = context.new_page()
    log_in(control, alice)
    control.goto(f"/sessions/{session.pk}/")
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "open")
    abp_tile = control.locator("#mirror [data-field=abp]")
    cvp_tile = control.locator("#mirror [data-field=cvp]")
    # No line yet: no tile.
    expect(abp_tile).to_be_hidden()
    expect(cvp_tile).to_be_hidden()

    form = control.locator("#vitals-form")
    form.locator("[name=abp_systolic]").fill("95")
    form.locator("[name=abp_diastolic]").fill("50")
    form.locator("[name=cvp]").fill("12")
    form.locator("[name=abp_damping]").select_option("under")
    control.locator("#send-vitals").click()
    expect(control.locator("#send-status")).to_have_text(sent)
    expect(abp_tile).to_be_visible()
    expect(abp_tile.locator(".mirror-value")).to_have_text("95/50 (65)")
    expect(cvp_tile.locator(".mirror-value")).to_have_text("12")
    session.refresh_from_db()
    assert session.last_values["abp_systolic"] == 95
    assert session.last_values["flags"]["abp_damping"] == "under"

    # Disconnected: the tile goes; the CVP stays.
    form.get_by_label(disconnect_label, exact=True).check()
    control.locator("#send-vitals").click()
    expect(control.locator("#send-status")).to_have_text(sent)
    expect(abp_tile).to_be_hidden()
    expect(cvp_tile).to_be_visible()
    context.close()
