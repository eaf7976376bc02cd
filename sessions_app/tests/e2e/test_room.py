"""One laptop runs the sim room (make run LAN=1): a tablet joins by the laptop's address and its
screen stays awake. 127.0.0.2 stands in for the laptop's LAN address."""

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT, open_control, send_vitals
from sessions_app.tests.servers import daphne, free_port
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOM = "127.0.0.2"
TABLET = {"width": 1024, "height": 768}
# Chromium counts every loopback address as a secure context and offers the Wake Lock API there;
# a tablet on http://192.168.x.y gets none. This takes it away, as that tablet would see it.
PLAIN_HTTP_ON_A_LAN_ADDRESS = "delete Navigator.prototype.wakeLock;"
# A video plays; one loop of media/keep-awake.* is 2 s and timeupdate fires about 4 times a second.
PLAYED_ACROSS_A_LOOP = 12
# Chromium keeps the screen on for a muted video only when it is mostly on screen and covers 20% of
# the viewport (blink's VideoWakeLock), so that is what the fallback must look like.
FALLBACK_VIDEO = """() => {
  const video = document.querySelector("video.keep-awake");
  const box = video.getBoundingClientRect();
  const shown = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0))
    * Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
  return { paused: video.paused, muted: video.muted, loop: video.loop,
           onScreen: shown / (box.width * box.height), ofViewport: shown / (innerWidth * innerHeight) };
}"""
COUNT_PLAYBACK = """() => {
  window.timeUpdates = 0;
  document.querySelector("video.keep-awake").addEventListener("timeupdate", () => window.timeUpdates++);
}"""


@pytest.fixture(scope="module")
def port():
    return free_port()


@pytest.fixture(scope="module")
def server(django_db_setup, port):
    """daphne as `make run LAN=1` serves it: on every interface, in room mode."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")
    env = {"LAN": "1", "LAN_ADDRESS": ROOM}
    with daphne(port=port, env=env, bind="0.0.0.0"):
        yield f"http://127.0.0.1:{port}"


def tablet(chromium, locale="en-US", init_script=PLAIN_HTTP_ON_A_LAN_ADDRESS):
    """Another device: its own browser, on the room's address, with no Wake Lock API."""
    context = chromium.new_context(viewport=TABLET, locale=locale)
    context.add_init_script(init_script)
    return context, context.new_page()


def test_a_tablet_joins_by_the_rooms_address_and_its_screen_stays_awake(
    chromium, server, port, alice
):
    session = make_session(alice)
    trainer = chromium.new_context(base_url=server, viewport=VIEWPORT, locale="en-US")
    control = open_control(trainer.new_page(), alice, session)
    link = control.locator("#join-url")
    expect(link).to_have_attribute("href", f"http://{ROOM}:{port}/monitor/{session.code}/")
    expect(control.locator("#join-address")).to_have_text(
        "This is the computer's address on the network, for tablets on the same Wi-Fi: "
        f"you opened Shiller as 127.0.0.1:{port}, which only this computer reaches."
    )
    expect(control.locator("#join-qr svg")).to_be_visible()

    device, screen = tablet(chromium)
    screen.goto(link.get_attribute("href"))
    expect(screen.locator("body")).to_have_attribute("data-ready", "true")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "video")
    screen.evaluate(COUNT_PLAYBACK)
    screen.wait_for_function(f"() => window.timeUpdates >= {PLAYED_ACROSS_A_LOOP}", polling=250)
    video = screen.evaluate(FALLBACK_VIDEO)
    assert video == {**video, "paused": False, "muted": True, "loop": True}
    assert video["onScreen"] == 1 and video["ofViewport"] == 1
    expect(screen.locator("#awake-note")).to_be_hidden()

    send_vitals(control, "sinus", heart_rate=123)
    expect(screen.locator("#hr-value")).to_have_text("123")
    # Still playing while the monitor is shown, across the change.
    assert screen.evaluate(FALLBACK_VIDEO)["paused"] is False
    device.close()
    trainer.close()


def test_where_the_wake_lock_is_granted_the_screen_uses_it_and_no_video(chromium, server, alice):
    session = make_session(alice)
    device, screen = tablet(chromium, init_script="")  # http://127.0.0.1 is a secure context
    screen.goto(f"{server}/monitor/{session.code}/")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "wake-lock")
    assert screen.locator("video").count() == 0
    device.close()


# Autoplay refused until a tap (iOS Low Power Mode does this), then a browser that plays nothing.
AUTOPLAY_REFUSED_ONCE = PLAIN_HTTP_ON_A_LAN_ADDRESS + """
const play = HTMLMediaElement.prototype.play;
let refusals = 1;
HTMLMediaElement.prototype.play = function () {
  if (refusals-- > 0) return Promise.reject(new DOMException("no autoplay", "NotAllowedError"));
  return play.call(this);
};"""
NO_VIDEO_AT_ALL = PLAIN_HTTP_ON_A_LAN_ADDRESS + """
HTMLMediaElement.prototype.play = () => Promise.reject(new DOMException("no", "NotSupportedError"));
"""


def test_a_screen_waiting_for_a_tap_asks_for_it_and_stays_awake_after(chromium, server, port, alice):
    session = make_session(alice)
    device, screen = tablet(chromium, init_script=AUTOPLAY_REFUSED_ONCE)
    screen.goto(f"http://{ROOM}:{port}/monitor/{session.code}/")
    note = screen.locator("#awake-note")
    expect(note).to_have_text("Tap the screen to keep it awake.")
    screen.locator(".waves").click()
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "video")
    expect(note).to_be_hidden()
    device.close()


@pytest.mark.parametrize(
    "locale, says",
    [
        ("en-US", "This screen may dim: turn off auto-lock in the display settings."),
        (
            "fr-FR",
            "Cet écran peut s'éteindre : désactivez le verrouillage automatique dans les "
            "réglages d'affichage.",
        ),
    ],
)
def test_a_screen_that_cannot_stay_awake_says_so(chromium, server, port, alice, locale, says):
    session = make_session(alice)
    device, screen = tablet(chromium, locale=locale, init_script=NO_VIDEO_AT_ALL)
    screen.goto(f"http://{ROOM}:{port}/monitor/{session.code}/")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "none")
    expect(screen.locator("#awake-note")).to_have_text(says)
    device.close()


def test_a_screen_whose_video_cannot_load_says_it_may_dim(chromium, server, port, alice):
    session = make_session(alice)
    device, screen = tablet(chromium)
    screen.route("**/media/keep-awake.*", lambda route: route.fulfill(status=404))
    screen.goto(f"http://{ROOM}:{port}/monitor/{session.code}/")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "none")
    expect(screen.locator("#awake-note")).to_have_text(
        "This screen may dim: turn off auto-lock in the display settings."
    )
    device.close()


def test_a_video_paused_from_outside_plays_again_while_the_monitor_is_shown(
    chromium, server, port, alice
):
    session = make_session(alice)
    device, screen = tablet(chromium)
    screen.goto(f"http://{ROOM}:{port}/monitor/{session.code}/")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "video")
    screen.evaluate("() => document.querySelector('video.keep-awake').pause()")
    screen.wait_for_function("() => !document.querySelector('video.keep-awake').paused")
    expect(screen.locator("#monitor")).to_have_attribute("data-keep-awake", "video")
    device.close()


def test_in_french_the_control_page_says_why_it_shows_the_rooms_address(
    chromium, server, port, alice
):
    session = make_session(alice)
    trainer = chromium.new_context(base_url=server, viewport=VIEWPORT, locale="fr-FR")
    control = open_control(trainer.new_page(), alice, session)
    expect(control.locator("#join-url")).to_have_text(
        f"http://{ROOM}:{port}/monitor/{session.code}/"
    )
    expect(control.locator("#join-address")).to_have_text(
        "C'est l'adresse de l'ordinateur sur le réseau, pour les tablettes du même Wi-Fi : "
        f"vous avez ouvert Shiller par 127.0.0.1:{port}, que seul cet ordinateur atteint."
    )
    trainer.close()
