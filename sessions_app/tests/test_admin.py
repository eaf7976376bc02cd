import pytest
from django.urls import reverse

from sessions_app import services, vitals
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = Trainer.objects.create_superuser(email="audit@example.org", password="x" * 12)
    client.force_login(staff)
    return client


def test_sessions_are_listed_with_status_and_event_count(staff_client, alice_session):
    services.apply_vitals(alice_session.pk, vitals.DEFAULT_VALUES)
    r = staff_client.get(reverse("admin:sessions_app_session_changelist"), {"q": "abc234"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "ABC234" in body and "alice@example.org" in body and ">open<" in body
    assert 'class="field-event_count">1<' in body


def test_events_are_read_only_audit(staff_client, alice_session):
    change = services.apply_vitals(alice_session.pk, vitals.DEFAULT_VALUES)
    event_url = reverse("admin:sessions_app_sessionevent_change", args=[change.event.pk])
    assert staff_client.get(event_url).status_code == 200
    assert staff_client.get(reverse("admin:sessions_app_sessionevent_add")).status_code == 403
    r = staff_client.post(reverse("admin:sessions_app_sessionevent_delete", args=[change.event.pk]))
    assert r.status_code == 403
    assert alice_session.events.count() == 1


def test_trainers_are_searchable_by_email(staff_client, alice, bob):
    r = staff_client.get(reverse("admin:trainers_trainer_changelist"), {"q": "alice"})
    body = r.content.decode()
    assert "alice@example.org" in body and "bob@example.org" not in body


def test_templates_are_read_only_audit_with_their_steps(staff_client, alice):
    from sessions_app.models import SessionTemplate
    from sessions_app.tests.test_templates import make_template

    template = make_template(alice, notes=["Baseline", "Give 1 L of fluids"])
    r = staff_client.get(reverse("admin:sessions_app_sessiontemplate_changelist"), {"q": "alice"})
    body = r.content.decode()
    assert "Sepsis drill" in body and 'class="field-step_count">2<' in body
    r = staff_client.get(reverse("admin:sessions_app_sessiontemplate_change", args=[template.pk]))
    assert r.status_code == 200 and "Give 1 L of fluids" in r.content.decode()
    assert staff_client.get(reverse("admin:sessions_app_sessiontemplate_add")).status_code == 403
    shipped = SessionTemplate.objects.filter(trainer=None).count()
    r = staff_client.get(reverse("admin:sessions_app_sessiontemplate_changelist"))
    assert r.content.decode().count('class="field-step_count"') == shipped + 1
