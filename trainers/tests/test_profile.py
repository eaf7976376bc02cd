import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_trainer_sets_their_name(alice_client, alice):
    r = alice_client.post(reverse("profile"), {"name": "  Dr Alice Martin  "}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("profile")
    page = r.content.decode()
    assert "Your name is saved." in page
    assert 'value="Dr Alice Martin"' in page
    alice.refresh_from_db()
    assert alice.name == "Dr Alice Martin"
    assert alice.display_name == "Dr Alice Martin"


def test_it_says_what_the_name_is_for(alice_client):
    r = alice_client.get(reverse("profile"))
    assert "How colleagues see you" in r.content.decode()
    assert "You log in as alice@example.org." in r.content.decode()


def test_an_empty_name_shows_the_email(alice_client, alice):
    alice.name = "Alice"
    alice.save()
    alice_client.post(reverse("profile"), {"name": "   "})
    alice.refresh_from_db()
    assert alice.name == ""
    assert alice.display_name == "alice@example.org"


def test_it_refuses_a_name_over_100_characters(alice_client, alice):
    r = alice_client.post(reverse("profile"), {"name": "A" * 101})
    assert r.status_code == 400
    assert "Ensure this value has at most 100 characters (it has 101)." in r.content.decode()
    alice.refresh_from_db()
    assert alice.name == ""


def test_it_asks_to_log_in(client):
    r = client.get(reverse("profile"))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))
