"""Keys for the school's learning platform, made and revoked on the profile page."""

import hashlib

import pytest
from django.urls import reverse

from assessment import lms
from assessment.models import LmsToken

pytestmark = pytest.mark.django_db


def make_key(client, name="Moodle", language="en"):
    return client.post(
        reverse("lms_token_new"), {"name": name}, follow=True, headers={"Accept-Language": language}
    )


def test_a_new_key_is_shown_once(alice_client, alice):
    r = make_key(alice_client)
    assert r.redirect_chain[-1][0] == reverse("profile") + "#lms"
    page = r.content.decode()
    assert "Key Moodle made." in page
    assert "Copy the key now: Shiller shows it only once." in page
    [token] = LmsToken.objects.filter(trainer=alice)
    key = (
        page.split('<div class="notice" id="new-lms-key"')[1].split("<code>")[1].split("</code>")[0]
    )
    assert key.startswith("shl_") and key.startswith(token.prefix)
    # Only its hash is stored, and it opens the LMS's URLs.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(LmsToken.objects.filter(pk=token.pk).values().get())
    assert lms.authenticate(f"Bearer {key}") == alice
    # Reloaded, the page lists the key by its first characters only.
    again = alice_client.get(reverse("profile")).content.decode()
    assert key not in again
    assert f"<code>{token.prefix}…</code>" in again
    assert "never" in again


def test_it_tells_the_lms_where_to_fetch(alice_client):
    page = alice_client.get(reverse("profile")).content.decode()
    assert '<code id="lms-statements-url">http://testserver/assessment/xapi/statements</code>' in page
    assert "No key yet." in page


def test_a_revoked_key_opens_nothing_and_leaves_the_list(alice_client, alice):
    token, key = lms.create_token(alice, "Moodle")
    r = alice_client.post(reverse("lms_token_revoke", args=[token.pk]), follow=True)
    assert "The key is revoked: it opens nothing any more." in r.content.decode()
    assert 'id="lms-tokens"' not in r.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(lms.Refused):
        lms.authenticate(f"Bearer {key}")


def test_one_cannot_revoke_another_trainers_key(bob_client, alice):
    token, _key = lms.create_token(alice, "Moodle")
    assert bob_client.post(reverse("lms_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_key_needs_a_name(alice_client, alice):
    r = alice_client.post(reverse("lms_token_new"), {"name": "  "})
    assert r.status_code == 400
    assert "This field is required." in r.content.decode()
    assert not LmsToken.objects.exists()


def test_at_most_ten_keys(alice_client, alice):
    for number in range(lms.MAX_ACTIVE):
        lms.create_token(alice, f"LMS {number}")
    r = alice_client.post(reverse("lms_token_new"), {"name": "One more"})
    assert r.status_code == 400
    assert "At most 10 keys: revoke one first." in r.content.decode()
    assert LmsToken.objects.count() == lms.MAX_ACTIVE


def test_the_keys_in_french(alice_client, alice):
    r = make_key(alice_client, language="fr")
    page = r.content.decode()
    assert "Clés pour la plateforme d’apprentissage" in page
    assert "Clé Moodle créée." in page
    assert "Copiez la clé maintenant : Shiller ne l’affiche qu’une fois." in page
    [token] = LmsToken.objects.filter(trainer=alice)
    r = alice_client.post(
        reverse("lms_token_revoke", args=[token.pk]), follow=True, headers={"Accept-Language": "fr"}
    )
    assert "La clé est révoquée : elle n’ouvre plus rien." in r.content.decode()
    assert "Aucune clé pour l’instant." in r.content.decode()


def test_making_a_key_needs_a_post_and_a_login(client, alice_client):
    assert alice_client.get(reverse("lms_token_new")).status_code == 405
    alice_client.logout()
    r = client.post(reverse("lms_token_new"), {"name": "Moodle"})
    assert r.status_code == 302 and r.url.startswith(reverse("login"))
    assert not LmsToken.objects.exists()
