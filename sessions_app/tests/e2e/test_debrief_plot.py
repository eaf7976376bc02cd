"""The debrief's plot as a browser draws it, in English and in French: the same shapes in the same
places (a French page once wrote x="512,0", which a browser drops, losing shading and notes)."""

import pytest
import redis
from django.conf import settings

from sessions_app.tests.e2e.pages import VIEWPORT, log_in
from sessions_app.tests.played import long_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the browser laid out: the box of each shape of the plot, in the SVG's own units.
LAID_OUT = """() => [...document.querySelectorAll(
    "#debrief-plot rect.alarm-period, #debrief-plot circle.marker, #debrief-plot .step-mark line,"
    + " #debrief-plot .note-mark line, #debrief-plot .axis")].map((shape) => {
  const box = shape.getBBox();
  return [shape.getAttribute("class"), Math.round(box.x), Math.round(box.width), Math.round(box.height)];
})"""


def laid_out(chromium, server, trainer, session, locale: str, labels: list | None = None) -> list:
    """The plot's shapes; the steps' labels into `labels` when given."""
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    log_in(page, trainer)
    page.goto(f"/sessions/{session.pk}/debrief/")
    shapes = page.evaluate(LAID_OUT)
    if labels is not None:
        labels += page.locator("#debrief-plot .step-mark text").all_text_contents()
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


def test_a_long_ended_sessions_kept_plot_is_the_one_drawn_in_each_language(chromium, server, alice):
    session = long_session(alice, 1200, spike_at=600, steps=(100,))
    labels = []
    visits = [
        laid_out(chromium, server, alice, session, locale, labels)
        for locale in ("en-US", "fr-FR", "en-US", "fr-FR")
    ]
    assert visits[1:] == visits[:1] * 3 and len(visits[0]) > 100
    assert labels == ["Step 1", "Étape 1", "Step 1", "Étape 1"]
    kept = redis.Redis.from_url(settings.REDIS_URL).keys(f"*debrief:*:{session.pk}:*")
    names = sorted(key.decode().split(":")[4] for key in kept)  # shiller:1:debrief:<code>:<name>
    assert names == ["out_of_range", "plot.en", "plot.fr"]
