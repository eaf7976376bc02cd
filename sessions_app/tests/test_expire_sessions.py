import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sessions_app.models import Session
from shiller.tests.factory import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_sessions(alice):
    past = timezone.now() - datetime.timedelta(hours=2)
    return {
        "expired": make_session(alice, code="EXP234", now=past, minutes=30),
        "expired_too": make_session(alice, code="EXP345", now=past, minutes=60),
        "open": make_session(alice, code="OPN234", minutes=30),
        "closed": make_session(alice, code="CLS234", now=past, minutes=30, closed_at=past),
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("expire_sessions", *args, stdout=out)
    return out.getvalue()


def test_it_closes_exactly_the_expired_open_sessions(mixed_sessions):
    closed_before = mixed_sessions["closed"].closed_at
    output = run()
    assert "Closed 2 expired session(s)." in output
    assert "EXP234" in output and "EXP345" in output
    statuses = {s.code: s.status() for s in Session.objects.all()}
    assert statuses == {
        "EXP234": "expired",
        "EXP345": "expired",
        "OPN234": "open",
        "CLS234": "closed",
    }
    assert Session.objects.get(code="CLS234").closed_at == closed_before
    assert "Closed 0 expired session(s)." in run()


def test_dry_run_changes_nothing(mixed_sessions):
    output = run("--dry-run")
    assert "Would close 2 expired session(s)." in output
    assert Session.objects.filter(closed_at__isnull=True).count() == 3
