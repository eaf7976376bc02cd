import pytest
from django.urls import reverse

from sessions_app import services
from simulator import vitals

pytestmark = pytest.mark.django_db


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
