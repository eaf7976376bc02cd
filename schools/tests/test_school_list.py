import pytest
from django.urls import reverse

from schools.models import Membership, School

pytestmark = pytest.mark.django_db


def test_it_says_when_i_am_in_no_school(alice_client):
    r = alice_client.get(reverse("schools:list"))
    assert r.status_code == 200
    assert "You are not in any school yet" in r.content.decode()


def test_it_lists_my_schools_with_my_role_and_member_count(bob_client, school, bob_member, carol):
    Membership.objects.create(school=school, trainer=carol)
    r = bob_client.get(reverse("schools:list"))
    page = r.content.decode()
    assert "Hôpital Nord" in page
    assert "<td>trainer</td>" in page
    assert '<td class="num">3</td>' in page


def test_it_hides_schools_i_am_not_in(bob_client, school):
    r = bob_client.get(reverse("schools:list"))
    assert "Hôpital Nord" not in r.content.decode()


def test_the_creator_becomes_admin(alice_client, alice):
    r = alice_client.post(reverse("schools:list"), {"name": "  SimLab Lyon  "})
    school = School.objects.get()
    assert school.name == "SimLab Lyon"
    assert r.status_code == 302
    assert r.url == reverse("schools:detail", args=[school.pk])
    assert Membership.objects.get(school=school, trainer=alice).role == Membership.ADMIN
    r = alice_client.get(r.url)
    assert "School created: you are its admin." in r.content.decode()


def test_it_refuses_a_school_without_a_name(alice_client):
    r = alice_client.post(reverse("schools:list"), {"name": "   "})
    assert r.status_code == 400
    assert "This field is required." in r.content.decode()
    assert not School.objects.exists()


def test_it_asks_to_log_in(client):
    r = client.get(reverse("schools:list"))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))


def test_the_nav_links_to_schools_and_my_profile_by_name(alice_client, alice):
    alice.name = "Dr Alice Martin"
    alice.save()
    page = alice_client.get(reverse("schools:list")).content.decode()
    assert f'href="{reverse("schools:list")}"' in page
    assert f'href="{reverse("profile")}" title="Profile">Dr Alice Martin</a>' in page


@pytest.mark.parametrize(
    "name, stored",
    [("Evil\r\nBcc: victim@example.org", "Evil Bcc: victim@example.org"), ("Tab\tname", "Tab name"), ("\x00", None)],
)
def test_a_school_name_is_one_line_of_text(client, alice, name, stored):
    """It heads pages and the invitations' subject line: line breaks cannot add a header."""
    client.force_login(alice)
    response = client.post(reverse("schools:list"), {"name": name})
    if stored is None:
        assert response.status_code == 400 and not School.objects.exists()
    else:
        assert School.objects.get().name == stored
