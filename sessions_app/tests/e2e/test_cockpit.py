"""The cockpit: a trainer drives a five-step scenario from one screen, at 1440x900 and on an iPad
in landscape (1024x768), in English and in French, without scrolling and without a reload; the
mirror shows what the trainee's monitor shows; a change made while the link is down waits."""

import re

import pytest
from playwright.sync_api import expect

from library.services import StepData, save_template
from sessions_app import scenarios
from sessions_app.models import SessionEvent
from sessions_app.tests.e2e.pages import change, log_in
from simulator import vitals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEART_RATES = [112, 128, 136, 114, 95]


def five_steps(trainer):
    steps = [
        StepData(
            {**vitals.DEFAULT_VALUES, "heart_rate": rate, "systolic": 130 - 8 * number},
            transition_seconds=60 if number == 1 else 0,  # step 2 is a trend
            note=f"Step {number + 1}: expect the trainee to reassess.",
        )
        for number, rate in enumerate(HEART_RATES)
    ]
    template = save_template(trainer, "Sepsis drill", "", steps)
    return scenarios.start_session(trainer, "Alex", 60, template)


def page_fits(page) -> None:
    """Nothing to scroll, and nothing was scrolled."""
    fits = page.evaluate(
        "() => [scrollY, document.documentElement.scrollHeight <= innerHeight,"
        " document.documentElement.scrollWidth <= innerWidth]"
    )
    assert fits == [0, True, True]


def in_view(page, selector: str) -> None:
    """On screen and not cut off by its column: what is at its top and bottom is itself."""
    seen = page.locator(selector).evaluate(
        """element => {
          const box = element.getBoundingClientRect();
          const middle = (box.left + box.right) / 2;
          const edges = [[middle, box.top + 3], [middle, box.bottom - 3]];
          return edges.every(([x, y]) => element.contains(document.elementFromPoint(x, y)));
        }"""
    )
    assert seen, f"{selector} is out of sight"


@pytest.mark.slow
@pytest.mark.parametrize(
    "locale, width, height, next_label, last_label, screens_word",
    [
        ("en-US", 1440, 900, "Next step ({})", "Last step reached.", "Bed 3 (Linux computer · Chrome)"),
        ("en-US", 1024, 768, "Next step ({})", "Last step reached.", "Bed 3 (Linux computer · Chrome)"),
        ("fr-FR", 1440, 900, "Étape suivante ({})", "Dernière étape atteinte.", "Lit 3 (Ordinateur Linux · Chrome)"),
        ("fr-FR", 1024, 768, "Étape suivante ({})", "Dernière étape atteinte.", "Lit 3 (Ordinateur Linux · Chrome)"),
    ],
)
def test_a_trainer_drives_five_steps_without_scrolling_or_reloading(
    chromium, server, alice, locale, width, height, next_label, last_label, screens_word
):
    session = five_steps(alice)
    viewport = {"width": width, "height": height}
    trainer_browser = chromium.new_context(base_url=server, viewport=viewport, locale=locale)
    control = trainer_browser.new_page()
    log_in(control, alice)
    control.goto(f"/sessions/{session.pk}/")
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "open")
    # Nobody has joined: the join card is open, the code and the link in sight.
    expect(control.locator("#join-card")).to_have_attribute("open", "")
    expect(control.locator("#join-url")).to_be_visible()
    control.evaluate("window.sameDocument = true")

    name = screens_word.split(" (")[0]
    tablet = chromium.new_context(base_url=server, viewport={"width": 1024, "height": 768}, locale=locale)
    monitor = tablet.new_page()
    monitor.goto("/join/")
    monitor.locator("[name=code]").fill(session.code)
    monitor.locator("[name=screen_name]").fill(name)
    monitor.locator("[name=screen_name]").press("Enter")
    expect(monitor.locator("#status-banner")).to_be_hidden()

    # The first screen in: the card folds into the bar, the count and the list say who it is.
    expect(control.locator("#viewer-count")).to_have_text("1")
    expect(control.locator("#join-card")).not_to_have_attribute("open", "")
    control.locator("#screens-card summary").click()
    expect(control.locator("#screen-list li")).to_have_count(1)
    assert control.locator("#screen-list li .screen-label").inner_text() == screens_word
    control.locator("#screens-card summary").click()

    for number, rate in enumerate(HEART_RATES, start=1):
        next_step = control.locator("#next-step")
        expect(next_step).to_have_text(next_label.format(number))
        for selector in ("#next-step", "#send-vitals", "#mirror", "#current-values", "#nibp-measure"):
            in_view(control, selector)
        next_step.click()
        expect(control.locator(f'#scenario-steps li[data-step="{number - 1}"]')).to_have_attribute(
            "aria-current", "step"
        )
        if number == 2:
            # A trend: the mirror moves with it; stop it, and everything holds where it is.
            expect(control.locator("#trend")).to_be_visible()
            in_view(control, "#stop-trend")
            control.locator("#stop-trend").click()
            expect(control.locator("#trend")).to_be_hidden()
            held = control.locator("#mirror [data-field=heart_rate] .mirror-value").inner_text()
            expect(monitor.locator("#hr-value")).to_have_text(held)
            # The form follows the patient: the values held, not the step's target.
            expect(control.locator("#vitals-form [name=heart_rate]")).to_have_value(held)
        else:
            expect(control.locator("#mirror [data-field=heart_rate] .mirror-value")).to_have_text(str(rate))
            expect(monitor.locator("#hr-value")).to_have_text(str(rate))
            expect(control.locator("#vitals-form [name=heart_rate]")).to_have_value(str(rate))
        page_fits(control)

    expect(control.locator("#last-step")).to_have_text(last_label)
    assert control.evaluate("window.sameDocument") is True  # never reloaded
    page_fits(control)
    steps = SessionEvent.objects.filter(session=session, detail__has_key="step")
    assert [event.detail["step"] for event in steps.order_by("created_at")] == [0, 1, 2, 3, 4]
    tablet.close()
    trainer_browser.close()


def test_a_change_made_while_the_link_is_down_waits_and_goes_when_it_is_back(
    chromium, server, alice
):
    session = five_steps(alice)
    context = chromium.new_context(base_url=server, viewport={"width": 1440, "height": 900}, locale="en-US")
    control = context.new_page()
    log_in(control, alice)
    down = {"now": False}
    sockets = []

    def socket(route):
        if down["now"]:
            route.close()
        else:
            route.connect_to_server()
            sockets.append(route)

    def page_requests(route):
        # The server is unreachable: the page's HEAD probe fails too.
        if down["now"]:
            route.abort()
        else:
            route.fallback()

    control.route_web_socket(re.compile(r"/ws/control/"), socket)
    control.route(re.compile(r"/sessions/"), page_requests)
    control.goto(f"/sessions/{session.pk}/")
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "open")
    control.evaluate("window.sameDocument = true")

    # The server goes away: its socket closes, and nothing answers any more.
    down["now"] = True
    sockets.pop().close(code=1001)
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "closed")
    expect(control.locator("#viewer-count")).to_have_text("unknown")
    control.locator("#vitals-form [name=heart_rate]").fill("131")
    control.locator("#send-vitals").click()
    expect(control.locator("#send-status")).to_have_text(
        "Not connected: this will be sent as soon as the link is back."
    )
    assert not SessionEvent.objects.filter(session=session).exists()

    down["now"] = False
    expect(control.locator("#send-status")).to_have_text("Values sent to the monitors.", timeout=20_000)
    assert control.evaluate("window.sameDocument") is True
    assert SessionEvent.objects.get(session=session).heart_rate == 131
    context.close()


@pytest.mark.parametrize(
    "locale, first_alarm, leads_off",
    [("en-US", "Ventricular fibrillation", "ECG LEADS OFF"), ("fr-FR", "Fibrillation ventriculaire", "ÉLECTRODES ECG DÉBRANCHÉES")],
)
def test_the_mirror_says_what_the_monitors_say(chromium, server, alice, locale, first_alarm, leads_off):
    session = scenarios.start_session(alice, "Alex", 60)
    context = chromium.new_context(base_url=server, viewport={"width": 1440, "height": 900}, locale=locale)
    control = context.new_page()
    log_in(control, alice)
    control.goto(f"/sessions/{session.pk}/")
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "open")
    monitor = context.new_page()
    monitor.goto(f"/monitor/{session.code}/")
    mirror = control.locator("#mirror")

    arrest = {**vitals.DEFAULT_VALUES, "flags": {**vitals.DEFAULT_VALUES["flags"], "rhythm": "ventricular_fibrillation"}}
    change(session, arrest)

    # No pulse, no numbers, on both pages; the most urgent alarm first.
    expect(mirror.locator("[data-field=heart_rate] .mirror-value")).to_have_text("---")
    expect(mirror.locator("[data-field=spo2] .mirror-value")).to_have_text("---")
    expect(monitor.locator("#hr-value")).to_have_text("---")
    expect(mirror).to_have_attribute("data-alarm", "red")
    expect(control.locator("#mirror-alarm")).to_contain_text(first_alarm)

    leads = {**vitals.DEFAULT_VALUES, "flags": {**vitals.DEFAULT_VALUES["flags"], "ecg_leads_off": True}}
    change(session, leads)

    expect(mirror).to_have_attribute("data-alarm", "cyan")
    expect(control.locator("#mirror-alarm")).to_have_text(leads_off)
    expect(monitor.locator("#alarm-banner")).to_contain_text(leads_off)
    expect(mirror.locator("[data-field=heart_rate] .mirror-value")).to_have_text("---")
    context.close()
