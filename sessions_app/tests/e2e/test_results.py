"""Results sent to the bedside: a blood gas and a chest X-ray from the cockpit reach an English and
a French screen, beside the numbers, and can be reopened."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import open_control
from sessions_app.tests.servers import daphne
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """The stage's server, its uploads in a folder of this module's own."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")
    with daphne(env={"MEDIA_ROOT": str(tmp_path_factory.mktemp("media"))}) as host:
        yield f"http://{host}"


def xray_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (320, 240), 90).save(out, "PNG")
    return out.getvalue()


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_a_blood_gas_and_an_xray_reach_an_english_and_a_french_screen(new_page, monitor, alice):
    session = make_session(alice)
    english = monitor(session.code)
    french = monitor(session.code, locale="fr-FR")
    control = open_control(new_page(), alice, session)

    control.get_by_text("Blood gas", exact=True).click()
    gas = control.locator("#blood-gas-form")
    gas.get_by_label("pH", exact=True).fill("7.21")
    gas.get_by_label("Lactate (mmol/L)").fill("4.8")
    gas.get_by_role("button", name="Send blood gas").click()
    expect(control.locator('[data-status-for="blood-gas-form"]')).to_have_text(
        "Blood gas sent to the monitors."
    )

    for screen, title, ph, low, lactate in (
        (english, "Blood gas", "7.21", "L", "Lactate"),
        (french, "Gazométrie", "7,21", "B", "Lactates"),
    ):
        panel = screen.locator(".results-panel")
        expect(panel).to_be_visible()
        card = panel.locator(".result-card")
        expect(card.locator("h2")).to_have_text(title)
        ph_row = card.locator("tbody tr").first
        expect(ph_row.locator(".result-value")).to_have_text(ph)
        expect(ph_row.locator(".result-flag")).to_have_text(low)
        expect(card.locator("tbody tr").nth(1).locator("th")).to_have_text(lactate)
        # The numbers stay in sight: the panel lies over the waves only.
        for tile in ("#hr-panel", "#spo2-panel", "#nibp-panel"):
            assert not overlaps(panel.bounding_box(), screen.locator(tile).bounding_box()), tile

    control.get_by_text("Image", exact=True).click()
    image_form = control.locator("#image-form")
    image_form.locator("input[type=file]").set_input_files(
        {"name": "chest.png", "mimeType": "image/png", "buffer": xray_png()}
    )
    image_form.get_by_label("Title (optional)").fill("Chest X-ray")
    image_form.get_by_role("button", name="Send image").click()
    expect(control.locator('[data-status-for="image-form"]')).to_have_text("Image sent to the monitors.")
    expect(control.locator("#result-items > li")).to_have_count(2)

    for screen, toggle in ((english, "Results (2)"), (french, "Résultats (2)")):
        card = screen.locator(".results-panel .result-card")
        expect(card.locator("h2")).to_have_text("Chest X-ray")
        image = card.locator("img")
        expect(image).to_have_attribute("alt", "Chest X-ray")
        screen.wait_for_function(
            "() => document.querySelector('.results-panel img')?.naturalWidth === 320"
        )
        # Closed, then reopened from the top bar with the earlier one.
        screen.locator("#results-close").click()
        expect(screen.locator(".results-panel")).to_be_hidden()
        screen.get_by_role("button", name=toggle).click()
        expect(screen.locator(".results-panel")).to_be_visible()
        screen.locator("#result-list button").nth(1).click()
        expect(card.locator("tbody tr").first.locator(".result-value")).to_have_text(
            "7.21" if screen is english else "7,21"
        )


def test_a_file_that_is_not_an_image_is_refused_on_the_cockpit(new_page, alice):
    session = make_session(alice)
    control = open_control(new_page(), alice, session)
    control.get_by_text("Image", exact=True).click()
    image_form = control.locator("#image-form")
    image_form.locator("input[type=file]").set_input_files(
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"just text"}
    )
    image_form.get_by_role("button", name="Send image").click()
    expect(image_form.locator("p.error.live")).to_have_text("This file is not a PNG or JPEG image.")
    expect(control.locator("#result-items > li.empty")).to_have_count(1)
