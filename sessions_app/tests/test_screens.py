"""What the trainer's list calls each screen, and the name a trainee types on the join page."""

import pytest
from django.urls import reverse

from sessions_app import screens

UAS = {
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1": "iPad · Safari",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 CriOS/126.0 Mobile/15E148 Safari/604.1": "iPhone · Chrome",
    "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/126.0 Safari/537.36": "Android tablet · Chrome",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36": "Android phone · Chrome",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0": "Windows computer · Edge",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0": "Mac · Firefox",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36": "Linux computer · Chrome",
    "Mozilla/5.0 (Linux; Tizen 6.5; SMART-TV) AppleWebKit/537.36 SamsungBrowser/5.0 TV Safari/537.36": "TV · Samsung Internet",
    "": "Screen",
}


@pytest.mark.parametrize("user_agent, label", UAS.items())
def test_a_screen_is_called_by_its_device_and_browser(user_agent, label):
    assert screens.label(screens.describe(user_agent)) == label


def test_in_french_the_device_is_named_in_french(settings):
    from django.utils import translation

    with translation.override("fr"):
        described = screens.describe("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0 Mobile")
        assert screens.label(described) == "Téléphone Android · Chrome"


def test_a_typed_name_is_one_short_line():
    assert screens.clean_name("  Bed\n3\u200b\x07  TV ") == "Bed 3 TV"
    assert len(screens.clean_name("x" * 100)) == screens.SCREEN_NAME_MAX


@pytest.mark.django_db
def test_the_join_page_takes_a_screen_name_to_the_monitor(client, alice_session):
    response = client.post(reverse("sessions:join"), {"code": "abc234", "screen_name": " Bed 3 TV "})
    assert response.status_code == 302
    assert response["Location"] == "/monitor/ABC234/?screen=Bed+3+TV"
    page = client.get(response["Location"]).content.decode()
    assert 'data-ws-path="/ws/monitor/ABC234/?screen=Bed+3+TV"' in page


@pytest.mark.django_db
def test_a_join_without_a_name_goes_to_the_plain_monitor(client, alice_session):
    response = client.post(reverse("sessions:join"), {"code": "ABC234", "screen_name": ""})
    assert response["Location"] == "/monitor/ABC234/"
