import io

import pytest
from django.core.management import CommandError, call_command

from trainers.models import Trainer

pytestmark = pytest.mark.django_db


def test_it_creates_a_trainer_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-secret\n"))
    out = io.StringIO()
    call_command("createtrainer", "Carol@Example.org", "--password-stdin", stdout=out)
    assert "Created trainer carol@example.org" in out.getvalue()
    assert Trainer.objects.get(email="carol@example.org").check_password("a-long-enough-secret")


def test_it_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("createtrainer", "carol@example.org", "--password-stdin")
    assert not Trainer.objects.exists()


def test_it_refuses_an_existing_email(alice, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-secret\n"))
    with pytest.raises(CommandError, match="already exists"):
        call_command("createtrainer", "ALICE@example.org", "--password-stdin")


def test_demo_trainer_is_created_once(monkeypatch):
    monkeypatch.setenv("DEMO_TRAINER_EMAIL", "demo@example.org")
    monkeypatch.setenv("DEMO_TRAINER_PASSWORD", "demo-password-1")
    out = io.StringIO()
    call_command("createtrainer", "--demo", stdout=out)
    call_command("createtrainer", "--demo", stdout=out)
    assert "Created demo trainer demo@example.org" in out.getvalue()
    assert "already exists" in out.getvalue()
    assert Trainer.objects.get().check_password("demo-password-1")
