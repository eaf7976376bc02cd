import http.client
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import websockets
from django.conf import settings
from django.urls import reverse

from sessions_app.tests.servers import daphne_process

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(client):
    r = client.get(reverse("sessions:home"))
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    policy = r["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_no_page_has_inline_script(client, alice_client, alice_session):
    pages = [
        reverse("sessions:home"),
        reverse("sessions:monitor", args=[alice_session.code]),
        reverse("sessions:control", args=[alice_session.pk]),
        reverse("sessions:list"),
    ]
    for url in pages:
        body = alice_client.get(url).content.decode()
        for tag in body.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            # Only external modules or JSON data blocks, which CSP lets through.
            assert "src=" in opening or 'type="application/json"' in opening, (url, opening)
        assert " onclick=" not in body and " onload=" not in body


def test_forms_carry_csrf(client, alice_client):
    for url in [reverse("sessions:home"), reverse("login"), reverse("sessions:new")]:
        assert "csrfmiddlewaretoken" in alice_client.get(url).content.decode()


def test_the_control_page_is_not_reachable_from_the_monitor(client, alice_session):
    body = client.get(reverse("sessions:monitor", args=[alice_session.code])).content.decode()
    assert str(alice_session.pk) not in body
    assert "/sessions/" not in body


def test_debug_false_refuses_the_development_secret_key():
    env = {name: value for name, value in os.environ.items() if name != "SECRET_KEY"}
    env["DEBUG"] = "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DEBUG=false needs a real SECRET_KEY" in result.stderr


def _manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """manage.py with `variables` set and no PG* variables, as from a fresh shell."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**env, **variables},
        capture_output=True,
        text=True,
    )


def test_an_empty_database_url_means_the_embedded_database():
    # As a copied .env.example leaves it: "DATABASE_URL=".
    result = _manage("check", DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    engine = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = _manage("shell", "--no-imports", "-c", engine, DATABASE_URL="")
    assert result.stdout.strip() == "django.db.backends.sqlite3", result.stderr


@pytest.mark.parametrize(
    "url", ["postgres//shiller:s3cret@db/shiller", "s3cret", "postgres://h:s3cret/db"]
)
def test_a_malformed_database_url_is_named_in_one_line(url):
    result = _manage("check", DATABASE_URL=url)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "DATABASE_URL is not a database URL: expected postgres://user:password@host:5432/name."
    ]


# A real daphne: what a browser, or someone pretending to be one, gets from the server.


@pytest.fixture(scope="module")
def live(django_db_setup, tmp_path_factory):
    """One daphne for these tests, its log kept to look for tracebacks."""
    log_path = tmp_path_factory.mktemp("daphne") / "stderr.log"
    with open(log_path, "wb") as log, daphne_process(stderr=log) as (address, process):
        yield SimpleNamespace(address=address, process=process, log=log_path)


@pytest.fixture
def log(live):
    """What daphne logs during the test."""
    start = live.log.stat().st_size
    return lambda: live.log.read_bytes()[start:].decode()


def _connection(live) -> http.client.HTTPConnection:
    host, port = live.address.split(":")
    return http.client.HTTPConnection(host, int(port), timeout=10)


def _rss_kib(process) -> int:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)[1])


@pytest.mark.parametrize("path", ["/ws/foo/", "/ws/monitor/", "/ws/control/not-a-uuid/"])
async def test_an_unknown_socket_path_is_refused_without_a_traceback(live, log, path):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(f"ws://{live.address}{path}", origin=f"http://{live.address}")
    assert refused.value.response.status_code == 403
    assert "Traceback" not in log()


def test_a_static_path_out_of_the_static_folder_is_not_found(live, log):
    connection = _connection(live)
    connection.request("GET", "/static/../shiller/settings.py")  # http.client keeps the "..".
    r = connection.getresponse()
    assert r.status == 404
    assert b"SECRET_KEY" not in r.read()
    assert "Traceback" not in log()


def test_a_body_over_the_limit_is_refused_before_it_is_sent(live):
    connection = _connection(live)
    connection.putrequest("POST", "/join/")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(300 * 1024 * 1024))
    connection.putheader("Accept-Language", "fr")
    connection.endheaders()  # and no body: an answer must come without it
    r = connection.getresponse()
    assert r.status == 413
    assert "Cette requête est trop volumineuse\u00a0: la limite est de 1,0" in r.read().decode()


def test_an_image_results_upload_may_be_larger_but_not_without_limit(live, log):
    path = "/sessions/5a0c1e4e-3b1f-4c55-9b51-000000000001/actions/send_image/"
    connection = _connection(live)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(settings.MAX_UPLOAD_BODY_BYTES + 1))
    connection.endheaders()
    assert connection.getresponse().status == 413
    # Under its limit and over the others', the body reaches Django (which asks for a login).
    # Multipart as a browser sends it: Twisted answers a malformed one with a 400 itself.
    field = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
    body = field + b"y" * (settings.MAX_REQUEST_BODY_BYTES + 1) + b"\r\n--x--\r\n"
    connection = _connection(live)
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    connection.request("POST", path, body=body, headers=headers)
    assert connection.getresponse().status == 302
    assert "Traceback" not in log()


def test_a_chunked_body_is_cut_off_at_the_limit(live):
    connection = _connection(live)
    connection.putrequest("POST", "/join/")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    chunk = b"x" * 65536
    try:
        for _ in range(settings.MAX_REQUEST_BODY_BYTES // len(chunk) + 1):
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass  # Refused and closed while we were still sending.
    r = connection.getresponse()
    assert r.status == 413


def test_a_large_body_sent_anyway_does_not_fill_the_servers_memory(live):
    connection = _connection(live)
    connection.request("POST", "/join/", body=b"code=ABC234")  # warm up: a 403, no CSRF token
    assert connection.getresponse().status == 403
    before = _rss_kib(live.process)
    connection = _connection(live)
    size = 100 * 1024 * 1024
    connection.putrequest("POST", "/join/")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    chunk = b"x" * (1024 * 1024)
    try:
        for _ in range(size // len(chunk)):
            connection.send(chunk)
    except OSError:
        pass  # Refused and closed: the rest never leaves this side.
    try:
        connection.getresponse()  # Once answered, the server is done with the body.
    except (OSError, http.client.HTTPException):
        pass  # The answer may be lost to the reset of a connection closed unread.
    assert _rss_kib(live.process) - before < 30 * 1024
