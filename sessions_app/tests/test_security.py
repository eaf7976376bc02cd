import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

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


def test_check_deploy_is_clean_with_the_production_variables():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "shiller.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://shiller.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


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
