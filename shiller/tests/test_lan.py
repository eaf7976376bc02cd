"""`make run LAN=1`: the laptop serves the tablets of a sim room. 127.0.0.2 stands in for the
laptop's LAN address: Linux routes all of 127.0.0.0/8 to loopback, so a server listening on every
interface answers on it, and one listening on 127.0.0.1 alone does not."""

import asyncio
import json
import os
import shlex
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
import websockets
from django.conf import settings
from django.db import connection

from sessions_app.tests.servers import (
    current_database_url,
    daphne,
    free_port,
    self_signed_certificate,
    wait_for_port,
)
from shiller import lan
from shiller.tests.factory import make_session
from trainers import demo
from trainers.models import Trainer

BASE_DIR = settings.BASE_DIR
ROOM = "127.0.0.2"


@pytest.fixture
def real_stack():
    """The tests that start daphne run it on PostgreSQL and Redis, as make test provides."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")


def make_run_daphne(*variables: str) -> list[str]:
    """The daphne command line `make run` would run, with these make variables."""
    dry_run = subprocess.run(
        ["make", "-n", "run", *variables], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    (line,) = [line for line in dry_run.splitlines() if "daphne" in line]
    return shlex.split(line)


def test_plain_make_run_listens_on_this_computer_only():
    command = make_run_daphne()
    assert command[command.index("-b") + 1] == "127.0.0.1"
    assert not any(word.startswith("LAN=") for word in command)


def test_make_run_lan_listens_on_the_network_in_room_mode():
    command = make_run_daphne("LAN=1")
    assert command[0] == "LAN=1"
    assert command[command.index("-b") + 1] == "0.0.0.0"


# What the room's settings read: a new process gets only those a test gives it.
ROOM_VARIABLES = (
    "LAN", "LAN_ADDRESS", "ALLOWED_HOSTS", "SITE_URL", "SERVES_TLS",
    "DEMO_TRAINER_EMAIL", "DEMO_TRAINER_PASSWORD",
)  # fmt: skip


def python(*arguments: str, check=True, **env) -> subprocess.CompletedProcess:
    """`python *arguments` in the project, as a server started with `env` would run."""
    clean = {k: v for k, v in os.environ.items() if k not in ROOM_VARIABLES}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "shiller.settings", **env},
        capture_output=True,
        text=True,
        check=check,
    )


def settings_in_a_new_process(**env) -> dict:
    """ALLOWED_HOSTS and LAN_ADDRESS as a server started with this environment reads them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'hosts': s.ALLOWED_HOSTS, 'address': s.LAN_ADDRESS}))"
    )
    return json.loads(python("-c", code, **env).stdout)


def test_the_host_check_accepts_the_machines_addresses_in_room_mode_only():
    room = settings_in_a_new_process(LAN="1", LAN_ADDRESS=ROOM)
    assert room["address"] == ROOM
    assert {ROOM, *lan.machine_addresses(), socket.gethostname()} <= set(room["hosts"])
    local = settings_in_a_new_process()
    assert local["hosts"] == ["127.0.0.1", "localhost", "[::1]"] and local["address"] == ""


def test_room_mode_finds_the_address_by_itself():
    found = settings_in_a_new_process(LAN="1")["address"]
    assert found == (lan.machine_addresses() or [""])[0]


@pytest.mark.parametrize("value", ["True", "on", "yes", "1"])
def test_the_interface_follows_the_settings_however_lan_is_spelt(value):
    assert interface_for(LAN=value) == "0.0.0.0"


def test_without_lan_the_interface_is_this_computers_alone():
    assert interface_for() == "127.0.0.1"
    assert interface_for(LAN="false") == "127.0.0.1"


def interface_for(**env) -> str:
    return python("-m", "shiller.lan", "--interface", **env).stdout.strip()


@pytest.mark.parametrize(
    "value, host",
    [("192.168.1.20", "192.168.1.20"), (" 10.0.0.5 ", "10.0.0.5"), ("fe80::1", "[fe80::1]"),
     ("[fd00::2]", "[fd00::2]"), ("Laptop.local", "laptop.local")],
)  # fmt: skip
def test_lan_address_is_written_as_urls_write_it(value, host):
    assert lan.url_host(value) == host


@pytest.mark.parametrize(
    "value", ["*", "http://192.168.1.20", "192.168.1.20:8000", "garbage value", ".local", "-a"]
)
def test_a_lan_address_that_is_not_one_stops_the_start_with_one_line(value):
    result = start_with(LAN="1", LAN_ADDRESS=value)
    assert result.returncode == 1
    assert result.stderr == (
        "LAN_ADDRESS is not an address: expected e.g. 192.168.1.20 (no scheme, no port).\n"
    )


@pytest.mark.parametrize(
    "value, origin",
    [("https://sim.example.org/", "https://sim.example.org"),
     ("HTTPS://Sim.Example.org:8443", "https://sim.example.org:8443"),
     ("http://[::1]:8000", "http://[::1]:8000")],
)  # fmt: skip
def test_site_url_is_kept_as_an_origin(value, origin):
    assert lan.site_origin(value) == origin


@pytest.mark.parametrize(
    "value",
    ["https://sim.example.org/shiller", "sim.example.org", "https://user:pw@evil.example",
     "https://sim.example.org:99999", "https://:8000", "http://[::1", "ftp://sim.example.org",
     "https://sim.example.org/?a=1", "https://*.example.org"],
)  # fmt: skip
def test_a_site_url_that_is_not_an_origin_stops_the_start_with_one_line(value):
    result = start_with(SITE_URL=value)
    assert result.returncode == 1
    assert result.stderr == "SITE_URL is not an origin: expected https://sim.example.org (no path).\n"


def start_with(**env) -> subprocess.CompletedProcess:
    return python("-c", "import django; django.setup()", check=False, **env)


def test_with_a_site_url_make_run_lan_sends_the_tablets_there():
    printed = banner(LAN="1", LAN_ADDRESS=ROOM, SITE_URL="https://sim.example.org")
    assert "On the tablets, open https://sim.example.org/ or scan the code" in printed


def fetch(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_in_room_mode_a_tablet_opens_shiller_by_the_machines_address(real_stack):
    port = free_port()
    env = {"LAN": "1", "LAN_ADDRESS": ROOM, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    with daphne(port=port, env=env, bind="0.0.0.0"):
        assert fetch(f"http://{ROOM}:{port}/") == 200
        assert fetch(f"http://{ROOM}:{port}/accounts/login/") == 200


@pytest.mark.django_db(transaction=True)
def test_plain_make_run_is_out_of_the_tablets_reach(real_stack):
    port = free_port()
    with daphne(port=port):
        with pytest.raises(urllib.error.URLError):
            fetch(f"http://{ROOM}:{port}/")
        # Even with the right route, the room's address is not a host this server answers to.
        assert fetch(f"http://127.0.0.1:{port}/", host=f"{ROOM}:{port}") == 400


def banner(**env) -> str:
    return python("-m", "shiller.lan", "--port", "8123", **env).stdout


def test_make_run_lan_says_where_the_tablets_go():
    printed = banner(LAN="1", LAN_ADDRESS=ROOM)
    assert f"On the tablets, open http://{ROOM}:8123/ or scan the code on the control page." in printed


@pytest.mark.django_db(transaction=True)
def test_make_run_lan_warns_while_the_demo_password_is_the_public_one(real_stack):
    on_this_database = {"LAN": "1", "LAN_ADDRESS": ROOM, "DATABASE_URL": current_database_url()}
    trainer = Trainer.objects.create_user(email=demo.DEFAULT_EMAIL, password=demo.DEFAULT_PASSWORD)
    warning = "Anyone on this network reaches the login page, and the demo password is public:"
    assert warning in banner(**on_this_database)
    assert f"manage.py changepassword {demo.DEFAULT_EMAIL} changes it." in banner(**on_this_database)
    trainer.set_password("a-room-of-our-own")
    trainer.save()
    assert warning not in banner(**on_this_database)


def test_plain_make_run_says_how_to_serve_the_room():
    printed = banner()
    assert "Shiller is at http://127.0.0.1:8123/" in printed
    assert "for tablets on the same Wi-Fi, run make run LAN=1" in printed


def interface(address, family=socket.AF_INET):
    return SimpleNamespace(family=family, address=address)


def test_the_address_offered_is_the_routed_one_then_private_ones(monkeypatch):
    import psutil

    monkeypatch.setattr(psutil, "net_if_addrs", lambda: {
        "lo": [interface("127.0.0.1")],
        "docker0": [interface("172.17.0.1")],
        "wlan0": [interface("192.168.1.20"), interface("fe80::1", socket.AF_INET6)],
        "eth0": [interface("169.254.10.3")],
        "tun0": [interface("93.184.216.34")],
    })  # fmt: skip
    monkeypatch.setattr(psutil, "net_if_stats", lambda: {
        "lo": SimpleNamespace(isup=True), "docker0": SimpleNamespace(isup=False),
        "wlan0": SimpleNamespace(isup=True), "eth0": SimpleNamespace(isup=True),
        "tun0": SimpleNamespace(isup=True),
    })  # fmt: skip
    monkeypatch.setattr(lan, "_default_route_address", lambda: "93.184.216.34")
    assert lan.machine_addresses() == ["93.184.216.34", "192.168.1.20"]
    monkeypatch.setattr(lan, "_default_route_address", lambda: None)
    assert lan.machine_addresses() == ["192.168.1.20", "93.184.216.34"]


@pytest.mark.parametrize(
    "host, local",
    [
        ("127.0.0.1:8000", True),
        ("localhost", True),
        ("app.localhost:8000", True),
        ("[::1]:8000", True),
        ("127.0.0.2", True),
        ("192.168.1.20:8000", False),
        ("sim.example.org", False),
        ("[2001:db8::1]:8000", False),
    ],
)
def test_which_hosts_only_this_computer_reaches(host, local):
    assert lan.is_local_host(host) is local


@pytest.fixture
def room_certificate(tmp_path):
    return self_signed_certificate(tmp_path, ROOM)


@pytest.mark.django_db(transaction=True)
def test_make_run_with_a_certificate_serves_the_room_over_https_and_wss(
    real_stack, room_certificate, alice
):
    cert, key = room_certificate
    port = free_port()
    command = make_run_daphne("LAN=1", f"PORT={port}", f"CERT={cert}", f"KEY={key}")
    assignments = [word for word in command if "=" in word and not word.startswith("-")][:2]
    assert assignments == ["LAN=1", "SERVES_TLS=true"]
    env = {
        **os.environ,
        **dict(word.split("=", 1) for word in assignments),
        "LAN_ADDRESS": ROOM,
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    session = make_session(alice)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command[2:], cwd=BASE_DIR, env=env, stderr=log)
        try:
            wait_for_port(port, process, "daphne", log)
            # A tablet that trusts the certificate (installed as docs/room.md says) checks it all.
            trusted = ssl.create_default_context(cafile=cert)
            page = urllib.request.urlopen(f"https://{ROOM}:{port}/accounts/login/", context=trusted)
            assert page.status == 200
            assert asyncio.run(first_message(f"wss://{ROOM}:{port}", session.code, trusted))
        finally:
            process.terminate()
            process.wait(timeout=5)


async def first_message(origin_url: str, code: str, context) -> dict:
    origin = origin_url.replace("wss://", "https://")
    async with websockets.connect(
        f"{origin_url}/ws/monitor/{code}/", ssl=context, origin=origin
    ) as socket_:
        return json.loads(await asyncio.wait_for(socket_.recv(), 5))
