"""deploy/ and the compose file as an operator uses them: the documented variables pass Django's
deployment checks, the compose file and the systemd units are valid. (nginx in front of two
daphnes runs in sessions_app/tests/e2e/test_production.py.)"""

import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from websockets.sync import client as websockets_sync
from django.conf import settings

from sessions_app.tests import servers

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"


def documented_variables() -> dict[str, str]:
    """deploy/shiller.env, as systemd's EnvironmentFile and compose's env_file read it."""
    lines = (DEPLOY / "shiller.env").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {name: value.removeprefix('"').removesuffix('"') for name, value in pairs}


def test_check_deploy_is_clean_with_the_documented_production_variables():
    env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
    production = documented_variables()
    assert production["SECRET_KEY"] == ""  # the operator's to make
    env.update(production, SECRET_KEY=secrets.token_urlsafe(50))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_runs_nginx_in_front_of_two_apps_on_postgresql_and_redis():
    services = compose()["services"]
    proxy, apps = services["proxy"], [services["app1"], services["app2"]]
    assert proxy["build"]["target"] == "proxy"
    assert proxy["depends_on"] == {
        "app1": {"condition": "service_healthy"},
        "app2": {"condition": "service_healthy"},
    }
    for app in apps:
        assert app["build"]["target"] == "app"
        assert app["depends_on"]["db"] == {"condition": "service_healthy"}
        assert app["depends_on"]["redis"] == {"condition": "service_healthy"}
        assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert app["healthcheck"]["test"] == ["CMD", "python", "deploy/healthcheck.py"]
        assert "ports" not in app  # reached through nginx only
    for name in ["proxy", "db", "redis"]:
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    # The image holds its packages: nothing is installed when a container starts.
    assert "pip install" not in (BASE_DIR / "docker-compose.yml").read_text()


def _compose_cli() -> list[str] | None:
    """`docker compose` (the plugin) or a docker-compose v2 on the PATH, if either is here."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        version = subprocess.run([*command, "version"], capture_output=True, text=True)
        if version.returncode == 0 and re.search(r"v?2\.\d+", version.stdout):
            return command
    return None


def test_docker_compose_config_validates_the_compose_file():
    command = _compose_cli()
    if command is None:
        pytest.skip("no docker compose v2 here: the file is read as YAML by the test above")
    result = subprocess.run(
        [*command, "config", "--quiet"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_systemd_units_have_no_unknown_setting(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in (DEPLOY / "systemd").iterdir():
        shutil.copy(unit, tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "shiller@8001.service", "shiller.target",
         "shiller-expire.service", "shiller-expire.timer",
         "shiller-anonymise.service", "shiller-anonymise.timer"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    # This machine has no /srv/shiller: the only complaint allowed is the missing executable.
    complaints = [
        line for line in result.stderr.splitlines() if "is not executable" not in line
    ]
    assert complaints == []


@pytest.mark.django_db(transaction=True)
def test_a_daphne_run_as_the_unit_says_logs_no_join_code(tmp_path):
    # The unit's own arguments (after the binary), on a free port of this machine.
    unit = (DEPLOY / "systemd" / "shiller@.service").read_text()
    arguments = re.search(r"^ExecStart=\S+ (.*)$", unit, re.MULTILINE).group(1).split()
    port = servers.free_port()
    arguments = [str(port) if argument == "%i" else argument for argument in arguments]
    env = {
        **os.environ,
        **documented_variables(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": servers.current_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(servers.collected_static()),
    }
    output = tmp_path / "daphne.log"
    with output.open("wb") as log:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", *arguments],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            servers.wait_for_port(port, daphne, "daphne", log)
            socket_path = "/ws/monitor/QX7KZ2/?screen=Bed%203"
            with pytest.raises(websockets_sync.InvalidStatus):
                websockets_sync.connect(f"ws://127.0.0.1:{port}{socket_path}", open_timeout=5)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        finally:
            daphne.terminate()
            daphne.wait(timeout=10)
    logged = output.read_text()
    assert '"event": "request"' in logged  # Shiller's own line for the probe
    assert "QX7KZ2" not in logged and "Bed" not in logged
