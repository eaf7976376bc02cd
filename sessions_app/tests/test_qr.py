"""The control page's QR code, read back from the page's own SVG as a camera would."""

import re

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db

PIXELS_PER_MODULE = 8


def _rasterise(svg: str) -> Image.Image:
    """Draw segno's SVG path (absolute M, relative m, horizontal runs h) as a PNG-ready image."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    image = Image.new("L", (size * PIXELS_PER_MODULE, size * PIXELS_PER_MODULE), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, numbers in re.findall(r"([Mmh])([-\d. ]+)", path):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            top = int(y) * PIXELS_PER_MODULE  # the run is drawn along the module's middle
            left, right = x * PIXELS_PER_MODULE, (x + values[0]) * PIXELS_PER_MODULE
            draw.rectangle([left, top, right - 1, top + PIXELS_PER_MODULE - 1], fill=0)
            x += values[0]
    return image


def _qr_svg(client, session) -> str:
    body = client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    return re.search(r'<figure class="join-qr".*?(<svg.*?</svg>)', body, re.S).group(1)


def test_the_qr_code_decodes_to_the_join_url(alice_client, alice_session):
    svg = _qr_svg(alice_client, alice_session)
    (result,) = zxingcpp.read_barcodes(_rasterise(svg))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.text == "http://testserver/monitor/ABC234/"


def test_scanning_it_opens_the_monitor(alice_client, alice_session, client):
    svg = _qr_svg(alice_client, alice_session)
    url = zxingcpp.read_barcodes(_rasterise(svg))[0].text
    r = client.get(url.removeprefix("http://testserver"))
    assert r.status_code == 200 and 'id="monitor"' in r.content.decode()


def test_the_qr_code_is_inline_svg_with_a_title(alice_client, alice_session):
    svg = _qr_svg(alice_client, alice_session)
    assert svg.startswith('<svg viewBox="0 0 ') and 'class="qr"' in svg
    assert "<title>Scan to join session ABC234</title>" in svg


def test_an_ended_session_shows_no_qr_code(alice_client, alice):
    session = make_session(alice, closed_at=timezone.now())
    body = alice_client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    assert 'class="join-qr"' not in body


# The link and the code are meant for another device: never an address only this computer reaches.


def _control(client, session, host, **headers):
    return client.get(reverse("sessions:control", args=[session.pk]), HTTP_HOST=host, **headers)


def _join_link(body: str) -> str:
    return re.search(r'id="join-url">([^<]+)</a>', body).group(1)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000"])
def test_in_the_room_a_trainer_on_this_computer_gets_the_lan_address(
    alice_client, alice_session, settings, host
):
    settings.LAN, settings.LAN_ADDRESS = True, "127.0.0.2"  # 127.0.0.2 stands in for the LAN
    body = _control(alice_client, alice_session, host).content.decode()
    assert _join_link(body) == "http://127.0.0.2:8000/monitor/ABC234/"
    svg = re.search(r'<figure class="join-qr".*?(<svg.*?</svg>)', body, re.S).group(1)
    assert zxingcpp.read_barcodes(_rasterise(svg))[0].text == _join_link(body)
    assert (
        "This is the computer's address on the network, for tablets on the same Wi-Fi: "
        f"you opened Shiller as {host}, which only this computer reaches."
    ) in body


def test_in_french_the_page_says_why_it_shows_the_lan_address(
    alice_client, alice_session, settings
):
    settings.LAN, settings.LAN_ADDRESS = True, "127.0.0.2"
    body = _control(
        alice_client, alice_session, "127.0.0.1:8000", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert _join_link(body) == "http://127.0.0.2:8000/monitor/ABC234/"
    assert (
        "C'est l'adresse de l'ordinateur sur le réseau, pour les tablettes du même "
        "Wi-Fi : vous avez ouvert Shiller par 127.0.0.1:8000, que seul cet ordinateur atteint."
    ) in body


def test_site_url_wins_over_any_address(alice_client, alice_session, settings):
    settings.LAN, settings.LAN_ADDRESS = True, "127.0.0.2"
    settings.SITE_URL = "https://sim.example.org"
    body = _control(alice_client, alice_session, "127.0.0.1:8000").content.decode()
    assert _join_link(body) == "https://sim.example.org/monitor/ABC234/"
    assert 'id="join-address"' not in body


def test_a_trainer_on_the_lan_address_gets_that_address(alice_client, alice_session, settings):
    settings.LAN, settings.LAN_ADDRESS = True, "127.0.0.2"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    body = _control(alice_client, alice_session, "192.168.1.20:8000").content.decode()
    assert _join_link(body) == "http://192.168.1.20:8000/monitor/ABC234/"
    assert 'id="join-address"' not in body


def test_served_for_this_computer_alone_the_page_offers_no_code_and_says_how(
    alice_client, alice_session
):
    body = _control(alice_client, alice_session, "127.0.0.1:8000").content.decode()
    assert 'class="join-qr"' not in body
    assert (
        "This link opens only on this computer: Shiller was started for this computer alone. "
        "To let tablets on the same Wi-Fi join, restart it with <code>make run LAN=1</code>."
    ) in body


def test_in_french_served_for_this_computer_alone_the_page_says_how(alice_client, alice_session):
    body = _control(
        alice_client, alice_session, "127.0.0.1:8000", HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert (
        "Ce lien ne s'ouvre que sur cet ordinateur : Shiller a été lancé pour lui seul. "
        "Pour que les tablettes du même Wi-Fi puissent rejoindre, relancez-le avec "
        "<code>make run LAN=1</code>."
    ) in body


def test_in_the_room_with_no_network_address_the_page_says_so(
    alice_client, alice_session, settings
):
    settings.LAN, settings.LAN_ADDRESS = True, ""
    body = _control(alice_client, alice_session, "127.0.0.1:8000").content.decode()
    assert 'class="join-qr"' not in body
    assert "This link opens only on this computer: it has no network address." in body
