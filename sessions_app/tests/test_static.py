"""Static files with no proxy in front: one DEBUG=false daphne serves the collected, hashed
files itself (WhiteNoise), compressed and cached for a year."""

import http.client
import re
import secrets

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from sessions_app.tests.servers import daphne_process
from shiller.staticfiles import StaticFilesMiddleware
from shiller.tests.factory import make_session

needs_services = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.REDIS_URL,
    reason="needs PostgreSQL and Redis (make test provides both)",
)


async def test_a_file_is_read_off_the_thread_that_database_calls_share():
    """An async body: Django's ASGI handler would read a sync one in that thread."""
    middleware = StaticFilesMiddleware(lambda request: pytest.fail("not served as a file"))
    r = middleware(RequestFactory().get("/static/css/shiller.css"))
    assert r.status_code == 200 and r.is_async
    assert b"".join([chunk async for chunk in r]) == (
        settings.BASE_DIR / "static" / "css" / "shiller.css"
    ).read_bytes()


@pytest.fixture(scope="module")
def alone(django_db_setup, tmp_path_factory):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on purpose: what is tested is the files, not the redirect to https.
        "SECURE_SSL_REDIRECT": "false",
    }
    log_path = tmp_path_factory.mktemp("daphne") / "stderr.log"
    with open(log_path, "wb") as log, daphne_process(env=production, stderr=log) as running:
        address, _process = running
        yield address, log_path


def get(address: str, path: str, **headers) -> http.client.HTTPResponse:
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers=headers)
    r = connection.getresponse()
    r.body = r.read()
    connection.close()
    return r


@needs_services
@pytest.mark.django_db(transaction=True)
def test_a_page_names_hashed_files_that_daphne_serves_gzipped_for_a_year(alone, alice):
    address, log = alone
    session = make_session(alice)
    page = get(address, f"/monitor/{session.code}/").body.decode()
    script = re.search(r'src="(/static/sessions_app/monitor\.[0-9a-f]{12}\.js)"', page)[1]

    r = get(address, script, **{"Accept-Encoding": "gzip"})
    assert r.status == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert r.headers["Content-Type"].startswith("text/javascript")
    # Its imports name hashed files too: a browser never keeps a stale module.
    plain = get(address, script).body.decode()
    assert re.search(r'from "\./clock\.[0-9a-f]{12}\.js"', plain)
    assert "Traceback" not in log.read_text()


@needs_services
def test_a_static_path_out_of_the_collected_folder_is_not_found(alone):
    address, _log = alone
    r = get(address, "/static/../shiller/settings.py")
    assert r.status == 404
    assert b"SECRET_KEY" not in r.body
