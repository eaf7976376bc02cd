"""The template editor in a browser: several blank steps at once, then a five-step template saved
in one go, in English and in French."""

import re

import pytest
from playwright.sync_api import expect

from library.models import SessionTemplate
from sessions_app.tests.e2e.pages import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Heart rate, systolic, diastolic and SpO2 of each step (its temperature is typed the page's way).
STEPS = [
    (80, 120, 80, 98),
    (110, 100, 60, 96),
    (130, 85, 50, 93),
    (145, 70, 40, 90),
    (90, 115, 75, 97),
]


def open_editor(chromium, server, trainer, locale):
    context = chromium.new_context(
        base_url=server, viewport={"width": 1440, "height": 900}, locale=locale
    )
    page = context.new_page()
    log_in(page, trainer)
    page.goto("/templates/new/")
    return context, page


@pytest.mark.parametrize(
    "locale, labels",
    [
        (
            "en-US",
            {
                "add": "Add steps",
                "count": "Blank steps to add",
                "save": "Save template",
                "step": "Step 5 (new)",
                "temp": "37.5",
            },
        ),
        (
            "fr-FR",
            {
                "add": "Ajouter des étapes",
                "count": "Étapes vides à ajouter",
                "save": "Enregistrer le modèle",
                "step": "Étape 5 (nouvelle)",
                "temp": "37,5",
            },
        ),
    ],
    ids=["en", "fr"],
)
def test_a_trainer_writes_five_steps_in_one_go(chromium, server, alice, locale, labels):
    context, page = open_editor(chromium, server, alice, locale)
    steps = page.locator("fieldset.step-form")
    expect(steps).to_have_count(3)  # the blank steps a page without its script has too
    page.get_by_label(labels["count"]).fill("2")
    page.get_by_role("button", name=labels["add"]).click()
    expect(steps).to_have_count(5)
    # A fieldset named by its legend: how a screen reader announces the step.
    expect(page.get_by_role("group", name=labels["step"], exact=True)).to_be_visible()
    expect(page.locator("#id_steps-3-systolic")).to_be_focused()  # the first of those added
    page.locator("#id_name").fill("Five-step shock")
    for index, (heart_rate, systolic, diastolic, spo2) in enumerate(STEPS):
        step = steps.nth(index)
        for name, value in (
            ("systolic", systolic),
            ("diastolic", diastolic),
            ("heart_rate", heart_rate),
            ("spo2", spo2),
        ):
            page.locator(f"#id_steps-{index}-{name}").fill(str(value))
        step.locator(f"[name=steps-{index}-temperature]").fill(labels["temp"])
        step.locator(f"[name=steps-{index}-note]").fill(f"Note {index + 1}")
    page.get_by_role("button", name=labels["save"]).click()
    expect(page).to_have_url(re.compile(r"/templates/[0-9a-f-]+/$"))
    expect(page.locator("li.step")).to_have_count(5)
    expect(page.locator("li.step").nth(4)).to_contain_text("Note 5")
    template = SessionTemplate.objects.get(trainer=alice)
    assert [step.values["heart_rate"] for step in template.steps.all()] == [s[0] for s in STEPS]
    assert {step.values["temperature"] for step in template.steps.all()} == {37.5}
    context.close()


def test_it_adds_no_more_steps_than_a_template_holds(chromium, server, alice):
    context, page = open_editor(chromium, server, alice, "en-US")
    page.get_by_label("Blank steps to add").fill("100")
    page.get_by_role("button", name="Add steps").click()
    expect(page.locator("fieldset.step-form")).to_have_count(30)
    expect(page.get_by_text("A template holds at most 30 steps.")).to_be_visible()
    expect(page.get_by_role("button", name="Add steps")).to_be_disabled()
    # Saving the blank steps adds nothing and says what is missing; nothing is stored.
    page.locator("#id_name").fill("Too many")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#steps-error")).to_have_text("A template needs at least one step.")
    assert not SessionTemplate.objects.filter(trainer=alice).exists()
    context.close()
