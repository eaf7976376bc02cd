"""The checklist in the browser, in English and in French: a session from the shipped VF arrest
template, a tap on an expected action and on a free one, an undo, and a second control page of
the session following each of them live."""

import pytest
from playwright.sync_api import expect

from assessment.models import LoggedAction
from library.models import SessionTemplate
from sessions_app import scenarios, services
from sessions_app.tests.e2e.pages import VIEWPORT, log_in, open_control
from shiller.tests.factory import restore_shipped_templates

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en-US": {
        "step": "Step 2 (current)",
        "call": "Cardiac arrest call",
        "logged": "Action logged.",
        "oxygen": "Oxygen",
        "undo": "Undo",
        "undone": "Undone: the action is no longer logged.",
        "on_time": "on time",
        "missed": "missed",
        "failed": "failed",
    },
    "fr-FR": {
        "step": "Étape 2 (en cours)",
        "call": "Appel de l'équipe d'arrêt cardiaque",
        "logged": "Action notée.",
        "oxygen": "Oxygène",
        "undo": "Annuler",
        "undone": "Annulé : l'action n'est plus notée.",
        "on_time": "à l’heure",
        "missed": "manquée",
        "failed": "échec",
    },
}


@pytest.mark.parametrize("locale", WORDS)
def test_taps_and_an_undo_show_on_both_control_pages(chromium, server, alice, locale):
    words = WORDS[locale]
    restore_shipped_templates()
    template = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    session = scenarios.start_session(alice, "Alex", 60, template)
    contexts = [
        chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale) for _ in range(2)
    ]
    first, second = (open_control(context.new_page(), alice, session) for context in contexts)

    # Step 2, the arrest: its actions on both pages.
    first.locator("#jump-step-1 button").click()
    for page in (first, second):
        expect(page.locator("#checklist")).to_contain_text(words["step"])

    # An expected action, one tap.
    call = first.locator('li.expected[data-expected="arrestcall"]')
    call.get_by_role("button", name=words["call"]).click()
    expect(first.locator('[data-status-for="log-arrestcall"]')).to_have_text(words["logged"])
    for page in (first, second):
        row = page.locator('li.expected[data-expected="arrestcall"]')
        expect(row).to_have_class("expected done")
        expect(row.locator(".logged-author")).to_have_text(alice.display_name)
        expect(row.locator(".logged-mark time")).to_have_text("+00:00")
        expect(row.get_by_role("button", name=words["call"])).to_be_disabled()

    # An action nobody expected, from the common buttons.
    first.locator("#common-action-form").get_by_role("button", name=words["oxygen"]).click()
    for page in (first, second):
        expect(page.locator("#logged-actions .logged-name")).to_have_text([words["oxygen"]])

    # Undone from the second page, within its seconds: gone from both.
    second.locator("#logged-actions").get_by_role("button", name=words["undo"]).click()
    for page in (first, second):
        expect(page.locator("#logged-actions li")).to_have_count(0)
    oxygen = LoggedAction.objects.get(name=words["oxygen"], undoes=None)
    assert LoggedAction.objects.filter(undoes=oxygen).exists()

    # What the script placed is what a reload shows.
    second.reload()
    expect(second.locator('li.expected[data-expected="arrestcall"]')).to_have_class("expected done")
    expect(second.locator("#logged-actions li")).to_have_count(0)
    for context in contexts:
        context.close()


@pytest.mark.parametrize("locale", WORDS)
def test_an_action_logged_during_the_run_is_scored_on_the_debrief(chromium, server, alice, locale):
    words = WORDS[locale]
    restore_shipped_templates()
    template = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    session = scenarios.start_session(alice, "Alex", 60, template)
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    page = open_control(context.new_page(), alice, session)
    page.locator("#jump-step-1 button").click()
    expect(page.locator("#checklist")).to_contain_text(words["step"])
    page.locator('li.expected[data-expected="arrestcall"]').get_by_role(
        "button", name=words["call"]
    ).click()
    expect(page.locator('li.expected[data-expected="arrestcall"]')).to_have_class("expected done")
    services.close_session(session)

    page.goto(f"/sessions/{session.pk}/debrief/")
    expect(page.locator('tr[data-key="arrestcall"]')).to_contain_text(words["on_time"])
    expect(page.locator('tr[data-key="arrestcall"]')).to_contain_text(alice.display_name)
    # Neither CPR nor a shock came: both critical, both missed, and the run fails.
    expect(page.locator('tr[data-key="cpr"]')).to_contain_text(words["missed"])
    expect(page.locator('tr[data-key="shock1"]')).to_contain_text(words["missed"])
    expect(page.locator("#score-result")).to_have_text(words["failed"])
    context.close()


def test_the_editor_adds_a_row_of_expected_actions(new_page, alice):
    page = new_page()
    log_in(page, alice)
    page.goto("/templates/new/")
    card = page.locator("#expected-card")
    card.get_by_role("button", name="Add an action").click()
    expect(card.locator("tr.action-row")).to_have_count(3)
    expect(card.locator("[name=expected-action_rows]")).to_have_value("3")
    expect(card.locator("[name=expected-act_3_name]")).to_be_focused()
