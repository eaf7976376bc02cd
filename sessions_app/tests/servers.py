"""Real daphne processes for tests that cross process boundaries (the Redis layer, browsers)."""

import atexit
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
START_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def current_database_url() -> str:
    """The URL of the database the tests are using right now (pytest-django's test database)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@functools.cache
def collected_static() -> Path:
    """A STATIC_ROOT filled by `collectstatic` as production's is (hashed names, .gz files),
    once per test run: a DEBUG=false daphne's pages name those files."""
    folder = Path(tempfile.mkdtemp(prefix="shiller-static-")) / "static"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "STATIC_ROOT": str(folder)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return folder


@contextmanager
def daphne(port: int | None = None, env: dict | None = None, stderr=None, bind="127.0.0.1"):
    """Serve shiller.asgi on `bind`:`port` against the test database and Redis; yields the
    127.0.0.1 address to reach it by.

    `env` adds or overrides variables (e.g. {"DEBUG": "false", ...} for production shape,
    which then serves collected_static()); `stderr` takes an open file to keep daphne's log
    (by default a temporary file: a pipe nobody reads would fill up and freeze a daphne that
    logs a lot).
    """
    with daphne_process(port, env, stderr, bind) as (address, _process):
        yield address


@contextmanager
def daphne_process(
    port: int | None = None,
    env: dict | None = None,
    stderr=None,
    bind="127.0.0.1",
    access_log: Path | None = None,
):
    """daphne() that also yields its Popen, e.g. to read its memory: (address, process).
    `access_log` is a file for daphne's own log of each request and socket it served."""
    if stderr is None:
        with tempfile.TemporaryFile() as log:
            with daphne_process(port, env, log, bind, access_log) as running:
                yield running
        return
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "true",
        **(env or {}),
    }
    if env["DEBUG"] == "false":
        env.setdefault("STATIC_ROOT", str(collected_static()))
    logging = ["--access-log", str(access_log)] if access_log else []
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", bind, "-p", str(port), *logging,
         "--websocket-max-message-size", "16384", "shiller.asgi:application"],  # fmt: skip
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        wait_for_port(port, process, "daphne", stderr)
        yield f"127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_port(port: int, process: subprocess.Popen, name: str, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port} within {START_TIMEOUT} s")


def _tail(log) -> str:
    try:
        if log.seekable():
            log.seek(0)
        return log.read().decode(errors="replace")[-2000:]
    except OSError:  # a log opened for writing only
        return "(see its log)"


NGINX_CONF = BASE_DIR / "deploy" / "nginx.conf"


def self_signed_certificate(folder: Path, address: str) -> tuple[Path, Path]:
    """cert.pem and key.pem in `folder` for `address`, made as docs/room.md says."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365",
         "-subj", "/CN=Shiller room", "-addext", f"subjectAltName=IP:{address}",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def nginx(upstreams: str | list[str], static_root: Path | None = None):
    """deploy/nginx.conf, as shipped, in front of `upstreams` (daphnes' host:port), with a
    self-signed certificate for 127.0.0.1, serving `static_root` (collected_static() by
    default) at /static/; yields the port it serves HTTPS on."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise RuntimeError("nginx is not installed (make test installs Debian's nginx)")
    if isinstance(upstreams, str):
        upstreams = [upstreams]
    static_root = static_root or collected_static()
    assert static_root.name == "static", "nginx serves /static/ from a folder of that name"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert, key = self_signed_certificate(folder, "127.0.0.1")
        servers = "".join(f"    server {upstream};\n" for upstream in upstreams)
        site = NGINX_CONF.read_text()
        # The shipped upstream lines (127.0.0.1:8001, :8002) become the test's daphnes.
        site = re.sub(r"(    server 127\.0\.0\.1:\d+;\n)+", lambda _: servers, site, count=1)
        for shipped, tested in {
            "listen 80;": f"listen 127.0.0.1:{free_port()};",
            "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
            "/etc/shiller/tls/fullchain.pem": str(cert),
            "/etc/shiller/tls/privkey.pem": str(key),
            # root names STATIC_ROOT's parent: /static/x is STATIC_ROOT/x.
            "root /srv/shiller;": f"root {static_root.parent};",
        }.items():
            if shipped not in site:
                raise RuntimeError(f"deploy/nginx.conf has no {shipped!r} to test with")
            site = site.replace(shipped, tested)
        (folder / "shiller.conf").write_text(site)
        # As Debian's own nginx.conf: the site in the http block, with the MIME types (a
        # browser runs a module script only if it is served as JavaScript).
        (folder / "nginx.conf").write_text(
            f"daemon off;\nmaster_process off;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{}}\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
            f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
            f"  include {folder}/shiller.conf;\n}}\n"
        )
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        process = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(port, process, "nginx", process.stderr)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=5)
