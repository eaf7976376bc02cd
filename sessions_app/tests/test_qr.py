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
