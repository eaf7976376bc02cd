"""What a person does in the browser tests, step by step: log in, open the control page, send."""

import re
import threading

from django.db import connection
from playwright.sync_api import Page, expect

from sessions_app import services
from sessions_app.models import Session
from shiller.tests.factory import PASSWORD
from simulator import vitals

# A laptop screen: the monitor fills it, and the screenshots stay small.
VIEWPORT = {"width": 1280, "height": 720}
TV = {"width": 1920, "height": 1080}
TABLET = {"width": 1024, "height": 768}


def log_in(page: Page, trainer) -> None:
    page.goto("/accounts/login/")
    page.locator("[name=username]").fill(trainer.email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("[name=password]").press("Enter")  # in whatever language the page speaks
    expect(page).to_have_url(re.compile(r"/sessions/$"))


def open_control(page: Page, trainer, session: Session) -> Page:
    log_in(page, trainer)
    page.goto(f"/sessions/{session.pk}/")
    # Sent before the socket is open, the form would be posted the classic way instead.
    expect(page.locator("#socket-state")).to_have_attribute("data-state", "open")
    return page


def send_vitals(control: Page, rhythm: str, transition: str = "Instant", **numbers: int) -> None:
    form = control.locator("#vitals-form")
    for name, value in numbers.items():
        form.locator(f"[name={name}]").fill(str(value))
    form.locator("[name=rhythm]").select_option(rhythm)
    form.get_by_role("radio", name=transition, exact=True).check()
    form.get_by_role("button", name="Send to monitors").click()
    expect(control.locator("#send-status")).to_have_text("Values sent to the monitors.")


def patient(flags=None, **numbers) -> dict:
    """The adult at rest, with these numbers and flags."""
    return {
        **vitals.DEFAULT_VALUES,
        **numbers,
        "flags": {**vitals.DEFAULT_VALUES["flags"], **(flags or {})},
    }


def beside_the_browser(work) -> None:
    """Runs `work` (a service that broadcasts) in a thread of its own: Playwright's event loop
    runs in this one, and the broadcast would refuse to run inside it."""

    def run():
        work()
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def change(session: Session, values: dict) -> None:
    """The trainer's change, stored and broadcast live."""
    beside_the_browser(lambda: services.apply_vitals(session.pk, values))
