"""Real daphne processes for tests that cross process boundaries (the Redis layer, browsers)."""

import os
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


@contextmanager
def daphne(port: int | None = None, env: dict | None = None, stderr=None, bind="127.0.0.1"):
    """Serve shiller.asgi on `bind`:`port` against the test database and Redis; yields the
    127.0.0.1 address to reach it by.

    `env` adds or overrides variables (e.g. {"DEBUG": "false", ...} for production shape);
    `stderr` takes an open file to keep daphne's log (by default a temporary file: a pipe
    nobody reads would fill up and freeze a daphne that logs a lot).
    """
    with daphne_process(port, env, stderr, bind) as (address, _process):
        yield address


@contextmanager
def daphne_process(port: int | None = None, env: dict | None = None, stderr=None, bind="127.0.0.1"):
    """daphne() that also yields its Popen, e.g. to read its memory: (address, process)."""
    if stderr is None:
        with tempfile.TemporaryFile() as log:
            with daphne_process(port, env, log, bind) as running:
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
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", bind, "-p", str(port),
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
def nginx(upstream: str):
    """deploy/nginx.conf, as shipped, in front of `upstream` (a daphne's host:port), with a
    self-signed certificate for 127.0.0.1; yields the port it serves HTTPS on."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        raise RuntimeError("nginx is not installed (make test installs Debian's nginx)")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert, key = self_signed_certificate(folder, "127.0.0.1")
        site = (
            NGINX_CONF.read_text()
            .replace("server 127.0.0.1:8000;", f"server {upstream};")
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
            .replace("/etc/ssl/certs/shiller.example.org.pem", str(cert))
            .replace("/etc/ssl/private/shiller.example.org.key", str(key))
        )
        (folder / "shiller.conf").write_text(site)
        (folder / "nginx.conf").write_text(
            f"daemon off;\nmaster_process off;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
            f"  proxy_temp_path {folder}/proxy;\n  include {folder}/shiller.conf;\n}}\n"
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
