"""The processes of a run: Shiller (daphne on PostgreSQL and Redis), the floor server, screens.

Every process started here is stopped on the way out, errors included: terminate, then kill.
"""

import asyncio
import atexit
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql

from changes import seq_of

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
NODE_DIR = BENCH_DIR / "node"
NPM_TIMEOUT = 300
START_TIMEOUT = 30
STOP_TIMEOUT = 5
# A screen process's reply carries every latency it measured.
LINE_LIMIT = 64 * 1024 * 1024
TRAINER_EMAIL = "bench@example.org"


def collect_static() -> Path:
    """A STATIC_ROOT filled by `collectstatic` as production's is (hashed names), removed at
    exit: pages rendered with DEBUG=false name those files."""
    folder = Path(tempfile.mkdtemp(prefix="shiller-bench-static-")) / "static"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50, "STATIC_ROOT": str(folder)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return folder


def with_database(url: str, name: str) -> str:
    """`url` (postgres://...) pointing at database `name` on the same server."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def with_redis_db(url: str, db: int) -> str:
    return urlsplit(url)._replace(path=f"/{db}").geturl()


def recreate_database(url: str) -> None:
    """Drop and create the bench's own database, so every run starts empty."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True, connect_timeout=5) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class BenchSession:
    id: str
    code: str
    cookie: str


class ShillerSetup:
    """Shiller's own code in the driver process: migrations, the trainer, sessions, stored rows.

    Configures Django through the environment, which the daphne processes then inherit, so
    both sides share the database, the Redis layer and the SECRET_KEY that signs the cookie.
    """

    def __init__(self, database_url: str, redis_url: str, channel_layer: str | None = None):
        if channel_layer:
            os.environ["CHANNEL_LAYER"] = channel_layer
        os.environ.update(
            DJANGO_SETTINGS_MODULE="shiller.settings",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            USE_IN_MEMORY="false",
            # The production shape: no DEBUG (which also records every query).
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            LOG_LEVEL="WARNING",
            # Every simulated screen connects from 127.0.0.1 to one session: lift the caps.
            MAX_SOCKETS_PER_ADDRESS="100000",
            MAX_SOCKETS_PER_SESSION="100000",
        )
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        from shiller import collector

        # The trainers' sockets live in this process: its own collections would be counted as
        # the server's latency (the daphnes tune theirs in shiller/asgi.py).
        collector.tune()

        call_command("migrate", interactive=False, verbosity=0)
        from django.conf import settings

        from trainers.models import Trainer

        self.channel_layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
        self.trainer = Trainer.objects.create_user(email=TRAINER_EMAIL)
        self.trainers = 1

    def new_trainer(self):
        from trainers.models import Trainer

        self.trainers += 1
        return Trainer.objects.create_user(email=f"bench{self.trainers}@example.org")

    def new_session(self, trainer=None) -> BenchSession:
        """A session of `trainer` (the bench's one trainer by default) and its login cookie."""
        from django.test import Client

        from sessions_app.services import create_session

        trainer = trainer or self.trainer
        session = create_session(trainer, "Bench", 120)
        client = Client()
        client.force_login(trainer)
        return BenchSession(
            str(session.pk), session.code, f"sessionid={client.cookies['sessionid'].value}"
        )

    def stored_changes(self, session_id: str) -> dict[str, int]:
        """Change number of each row in session_events for the session, by event id."""
        from sessions_app.models import SessionEvent

        rows = SessionEvent.objects.filter(session_id=session_id).values(
            "id", "systolic", "heart_rate", "spo2"
        )
        return {str(row["id"]): seq_of(row) for row in rows}

    def close(self) -> None:
        from django.db import connections

        for connection in connections.all():
            connection.close()
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@dataclass
class Server:
    address: str  # host:port
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server_process(command: list[str], port: int, log_path: Path):
    """Run a server until the block ends; its output goes to `log_path`."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log_path)
        yield Server(f"127.0.0.1:{port}", process.pid)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited: see {log_path}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args[:3]} did not listen on {port} within {START_TIMEOUT} s")


@contextmanager
def daphnes(count: int, log_dir: Path, application: str = "shiller.asgi:application"):
    """`count` daphne processes serving Shiller (or `application`), each on its own port."""
    with ExitStack() as servers:
        started = []
        for i in range(count):
            port = free_port()
            # As production runs it (deploy/systemd, Dockerfile): -v 0, no access log, whose
            # line per connect and request was 6 % of a daphne's time while screens connect.
            command = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1"]
            command += ["-p", str(port), "--websocket-max-message-size", "16384"]
            command.append(application)
            log = log_dir / f"daphne-{i}.log"
            started.append(servers.enter_context(server_process(command, port, log)))
        yield started


@contextmanager
def floor_server(log_dir: Path):
    port = free_port()
    command = [sys.executable, str(BENCH_DIR / "floor_server.py"), "--port", str(port)]
    with server_process(command, port, log_dir / "floor.log") as server:
        yield server


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


@contextmanager
def node_floor_server(log_dir: Path):
    """bench/node/floor_server.js, with the `ws` of bench/node/package-lock.json (`npm ci` the
    first time; node_modules is git-ignored)."""
    if not (NODE_DIR / "node_modules" / "ws").is_dir():
        npm = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR, capture_output=True, text=True, timeout=NPM_TIMEOUT,
        )  # fmt: skip
        if npm.returncode:
            raise RuntimeError(f"npm ci in {NODE_DIR} failed: {npm.stderr[-2000:]}")
    port = free_port()
    command = ["node", str(NODE_DIR / "floor_server.js"), "--port", str(port)]
    with server_process(command, port, log_dir / "node-floor.log") as server:
        yield server


def rss_kb(pids: list[int]) -> int:
    """Resident memory of the processes, summed, from /proc/<pid>/status (VmRSS, kB)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used, summed, from /proc/<pid>/stat."""
    total_ticks = 0
    for pid in pids:
        # Fields after the command name, which is in parentheses and may contain spaces.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return total_ticks / os.sysconf("SC_CLK_TCK")


class ScreenProcesses:
    """Processes of trainee screens (bench/screens.py), driven one JSON line at a time."""

    def __init__(self, count: int):
        self.count = count
        self.processes: list[asyncio.subprocess.Process] = []

    async def __aenter__(self) -> "ScreenProcesses":
        try:
            for _ in range(self.count):
                self.processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        str(BENCH_DIR / "screens.py"),
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        limit=LINE_LIMIT,
                    )
                )
            await asyncio.gather(
                *(self._reply(process, START_TIMEOUT) for process in self.processes)
            )
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc_info) -> None:
        for process in self.processes:
            if process.returncode is None:
                with suppress(ProcessLookupError):  # it may have just exited by itself
                    process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
                except TimeoutError:
                    process.kill()
                    await process.wait()

    async def ask(self, commands: list[dict], timeout: float) -> list[dict]:
        """Send commands[i] to process i; their replies, in the same order."""
        for process, command in zip(self.processes, commands, strict=True):
            process.stdin.write(json.dumps(command).encode() + b"\n")
        await asyncio.gather(*(process.stdin.drain() for process in self.processes))
        return await asyncio.gather(*(self._reply(process, timeout) for process in self.processes))

    async def ask_all(self, command: dict, timeout: float) -> list[dict]:
        return await self.ask([command] * self.count, timeout)

    @staticmethod
    async def _reply(process: asyncio.subprocess.Process, timeout: float) -> dict:
        line = await asyncio.wait_for(process.stdout.readline(), timeout)
        if not line:
            raise RuntimeError(f"screen process {process.pid} exited ({await process.wait()})")
        return json.loads(line)


# A minimal nginx in front of the daphnes (deploy/ has the production site): round robin per
# connection, websockets upgraded, no TLS (the bench measures the proxy's hop, not TLS).
NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 20000; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  upstream shiller {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://shiller;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
    }}
  }}
}}
"""


@contextmanager
def nginx(servers: list[Server], log_dir: Path):
    """nginx on its own port in front of `servers`; yields its Server (address, pid)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = log_dir / "nginx"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    upstreams = "\n".join(f"    server {server.address};" for server in servers)
    (folder / "nginx.conf").write_text(
        NGINX_CONF.format(folder=folder, servers=upstreams, port=port)
    )
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    with server_process(command, port, log_dir / "nginx.log") as front:
        yield front
