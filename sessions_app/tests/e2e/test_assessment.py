"""In a browser, in English and French: the debrief's assessment of a scored run (each expected
action's outcome, the score, the time out of range, the actions on the plot), and the cohort
page of its scenario with its figures and its date filter."""

import datetime

import pytest
from playwright.sync_api import expect

from assessment.tests.runs import make_debriefed_run, make_run, make_template
from sessions_app.tests.e2e.pages import log_in
from shiller.tests.factory import T0

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1440, "height": 900}
TEXT = {
    "en-US": {
        "heading": "What was expected", "late": "late by 50 s", "missed": "missed",
        "failed": "failed", "range": "Heart rate: 1 min", "cohort": "Compare the runs of this scenario",
        "figures": "Each action across the runs", "runs": "3 runs", "filter": "Filter",
        "wrong": "The last day comes on or after the first.",
    },
    "fr-FR": {
        "heading": "Ce qui était attendu", "late": "en retard de 50 s", "missed": "manquée",
        "failed": "échec", "range": "Fréquence cardiaque\u00a0: 1 min",
        "cohort": "Comparer les séances de ce scénario",
        "figures": "Chaque action sur l’ensemble des séances", "runs": "3 séances",
        "filter": "Filtrer", "wrong": "Le dernier jour est le premier ou vient après.",
    },
}  # fmt: skip


@pytest.fixture
def scored(alice):
    """Three runs of one scenario a day apart; the first is the debriefed one (as the pages'
    tests: help on time, cultures late by 50 s, the critical shock missed, the heart rate out of
    range for a minute, an intubation logged and undone)."""
    template = make_template(alice)
    run = make_debriefed_run(alice, template)
    for n, seconds in [(1, 40), (2, 100)]:
        start = T0 + datetime.timedelta(days=n)
        make_run(alice, template, f"RUN00{n + 1}", start=start, steps=[10], logged=[(10 + seconds, "help")])
    return run


@pytest.fixture
def open_page(alice, chromium, server):
    contexts = []

    def open_at(path, locale):
        context = chromium.new_context(base_url=server, viewport=LAPTOP, locale=locale, timezone_id="UTC")
        contexts.append(context)
        page = context.new_page()
        log_in(page, alice)
        page.goto(path)
        return page

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_debrief_shows_the_assessment_and_leads_to_the_cohort(scored, open_page, locale):
    text = TEXT[locale]
    page = open_page(f"/sessions/{scored.pk}/debrief/", locale)
    section = page.locator("#assessment")
    expect(section.locator("h2")).to_have_text(text["heading"])
    expect(section.locator("tr.outcome")).to_have_count(5)
    expect(section.locator('tr[data-key="cultures"] .outcome-status')).to_have_text(text["late"])
    expect(section.locator('tr[data-key="shock1"] .outcome-status')).to_have_text(text["missed"])
    expect(page.locator("#score")).to_have_text("-1 / 8")
    expect(page.locator("#score-result")).to_have_text(text["failed"])
    expect(page.locator("#out-of-range li")).to_have_text([text["range"]])
    expect(page.locator("#unexpected-actions li")).to_have_count(1)
    # The logged actions on the plot (six, the undo with them) and in the table.
    expect(page.locator("#debrief-plot .action-mark")).to_have_count(6)
    expect(page.locator("#debrief-events tr.action-row")).to_have_count(6)
    # Printed, the section stays and its links go.
    page.emulate_media(media="print")
    expect(section).to_be_visible()
    expect(page.locator("#cohort-link")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name=text["cohort"]).click()
    expect(page.locator("#cohort-runs tbody tr")).to_have_count(3)
    expect(page.get_by_role("heading", name=text["figures"])).to_be_visible()
    expect(page.get_by_role("heading", name=text["runs"])).to_be_visible()
    help_row = page.locator('#cohort-figures tr[data-key="help"]')
    # Help after 20, 40 and 100 s: median 40 s, on time in two runs of three.
    expect(help_row.locator(".median")).to_have_text("+00:40")
    expect(help_row.locator(".range")).to_have_text("+00:20 – +01:40")
    expect(help_row.locator(".on-time")).to_contain_text("67 %")


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_cohort_filters_by_date_and_says_what_is_wrong(scored, open_page, locale):
    text = TEXT[locale]
    page = open_page(f"/assessment/templates/{scored.template_id}/cohort/", locale)
    expect(page.locator("#cohort-runs tbody tr")).to_have_count(3)
    page.locator("#id_start").fill("2026-11-25")
    page.get_by_role("button", name=text["filter"]).click()
    expect(page.locator("#cohort-runs tbody tr")).to_have_count(2)
    expect(page.locator('#cohort-runs tr[data-code="RUN001"]')).to_have_count(0)
    page.locator("#id_end").fill("2026-11-24")
    page.get_by_role("button", name=text["filter"]).click()
    expect(page.locator('.error[data-field="end"]')).to_have_text(text["wrong"])
    expect(page.locator("#cohort-runs")).to_have_count(0)


def test_the_replay_shows_the_last_actions_it_passed(scored, open_page):
    page = open_page(f"/sessions/{scored.pk}/replay/?speed=1&at=210&paused=1", "en-US")
    shown = page.locator("#replay-actions li:visible")
    # Passed by 03:30: help, oxygen, the intubation, its undo and the cultures; the last three show.
    expect(shown).to_have_text([
        "01:10 Intubation, by alice@example.org",
        "01:15 Undone: Intubation, by alice@example.org",
        "03:20 Blood cultures, by alice@example.org",
    ])  # fmt: skip
