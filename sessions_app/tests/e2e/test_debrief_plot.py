"""The debrief's plot as a browser draws it, in English and in French: the same shapes in the same
places (a French page once wrote x="512,0", which a browser drops, losing shading and notes)."""

import pytest

from sessions_app.tests.e2e.pages import VIEWPORT, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the browser laid out: the box of each shape of the plot, in the SVG's own units.
LAID_OUT = """() => [...document.querySelectorAll(
    "#debrief-plot rect.alarm-period, #debrief-plot circle.marker, #debrief-plot .step-mark line,"
    + " #debrief-plot .note-mark line, #debrief-plot .axis")].map((shape) => {
  const box = shape.getBBox();
  return [shape.getAttribute("class"), Math.round(box.x), Math.round(box.width), Math.round(box.height)];
})"""


def laid_out(chromium, server, trainer, session, locale: str) -> list:
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    log_in(page, trainer)
    page.goto(f"/sessions/{session.pk}/debrief/")
    shapes = page.evaluate(LAID_OUT)
    context.close()
    return shapes


def test_the_french_plot_draws_what_the_english_one_draws(chromium, server, alice, played):
    english = laid_out(chromium, server, alice, played, "en-US")
    french = laid_out(chromium, server, alice, played, "fr-FR")
    assert french == english
    red = [shape for shape in french if shape[0] == "alarm-period alarm-red"]
    assert len(red) == 1 and red[0][1] > 0 and red[0][2] > 100  # the arrest's period, shaded
    markers = [shape for shape in french if shape[0].startswith("marker")]
    assert len(markers) == 24 and len({shape[1] for shape in markers}) == 4  # 4 events, 6 lines
