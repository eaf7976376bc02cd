import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def test_it_lists_my_sessions_with_status_and_event_count(alice_client, alice, bob):
    open_session = make_session(alice, code="OPN234", trainee_name="Alex")
    make_session(alice, code="CLS234", trainee_name="Sam", closed_at=timezone.now())
    make_session(bob, code="BOB234", trainee_name="Someone else")
    for _ in range(3):
        services.apply_vitals(open_session.pk, vitals.DEFAULT_VALUES)

    r = alice_client.get(reverse("sessions:list"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "OPN234" in body and "CLS234" in body
    assert "BOB234" not in body and "Someone else" not in body
    assert 'data-label="events">3<' in body
    assert "closed" in body


def test_it_lists_with_a_bounded_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    for index in range(20):
        make_session(alice, code=f"S{index:05d}")
    # session + trainer + count + page of sessions with their counts: not one query per row.
    with django_assert_max_num_queries(5):
        r = alice_client.get(reverse("sessions:list"))
    assert r.status_code == 200


def test_it_has_an_empty_state(alice_client):
    r = alice_client.get(reverse("sessions:list"))
    assert "No sessions yet" in r.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    r = client.get(reverse("sessions:list"))
    assert r.status_code == 302
    assert r.url == f"{reverse('login')}?next={reverse('sessions:list')}"


DECEMBER_2ND = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "language, created, ends",
    [
        ("en", "2 Dec 2026 14:05", "2 Dec 2026 16:05"),
        ("fr", "2 déc. 2026 14:05", "2 déc. 2026 16:05"),
    ],
)
def test_its_dates_spell_the_month_in_every_language(alice_client, alice, language, created, ends):
    make_session(alice, now=DECEMBER_2ND)
    body = alice_client.get(
        reverse("sessions:list"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f'<time datetime="2026-12-02T14:05:00+00:00">{created}</time>' in body
    assert f">{ends}</time>" in body
    assert "12/02/2026" not in body and "02/12/2026" not in body
