"""A school's library: its members read, duplicate and start its templates; its admins and each
template's author edit them; every save is a version, which a session started from it records."""

import pytest
from django.urls import reverse

from library.models import SessionTemplate
from library.tests.test_templates import form_post, make_template, step_fields
from schools.models import Membership, School
from sessions_app.models import Session
from shiller.tests.factory import PASSWORD
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


# The cast: at Lyon, alice is an admin, bob and carol are trainers; dave is at Paris.


@pytest.fixture
def lyon(alice, bob, carol):
    school = School.objects.create(name="Lyon Sim Centre")
    Membership.objects.create(school=school, trainer=alice, role=Membership.ADMIN)
    Membership.objects.create(school=school, trainer=bob)
    Membership.objects.create(school=school, trainer=carol)
    return school


@pytest.fixture
def paris(dave):
    school = School.objects.create(name="Paris Faculty")
    Membership.objects.create(school=school, trainer=dave, role=Membership.ADMIN)
    return school


@pytest.fixture
def carol(db):
    return Trainer.objects.create_user(email="carol@example.org", password=PASSWORD, name="Carol Roux")


@pytest.fixture
def dave(db):
    return Trainer.objects.create_user(email="dave@example.org", password=PASSWORD)


@pytest.fixture
def lyon_drill(carol, lyon):
    """Carol's template, shared with Lyon."""
    return shared(make_template(carol, "Lyon drill"), lyon)


@pytest.fixture
def paris_drill(dave, paris):
    return shared(make_template(dave, "Paris drill"), paris)


def shared(template, school):
    template.school = school
    template.save(update_fields=["school"])
    return template


def login(client, trainer):
    client.force_login(trainer)
    return client


def edit_post(name="Lyon drill", school=None) -> dict:
    """The edit page's POST: its two steps kept, the name and the "Shared with" choice."""
    return {
        **form_post(name=name, steps=[step_fields(), step_fields()], initial=2),
        "school": "" if school is None else str(school.pk),
    }


# The list.


def test_a_member_sees_their_schools_library_with_its_authors(client, bob, lyon_drill, paris_drill):
    r = login(client, bob).get(reverse("library:list"))
    body = r.content.decode()
    assert "Lyon Sim Centre's library" in body
    assert "Lyon drill" in body and "Carol Roux" in body
    assert "Paris" not in body
    # Shared with the school, it is the school's, not in the author's own section.
    r = login(client, lyon_drill.trainer).get(reverse("library:list"))
    own = r.content.decode().split('id="own-templates"')[1].split("</section>")[0]
    assert "Lyon drill" not in own and "You have no templates of your own yet." in own


def test_the_list_says_who_may_edit_each_school_template(client, alice, bob, lyon_drill):
    edit = reverse("library:edit", args=[lyon_drill.pk])
    body = login(client, bob).get(reverse("library:list")).content.decode()
    assert edit not in body and "Read-only" in body
    body = login(client, alice).get(reverse("library:list")).content.decode()
    assert edit in body


def test_an_author_who_left_the_school_no_longer_edits_its_template(client, carol, lyon_drill):
    Membership.objects.filter(school=lyon_drill.school, trainer=carol).delete()
    edit = reverse("library:edit", args=[lyon_drill.pk])
    # Still theirs to read in their own section, as the list says, and no more theirs to edit.
    body = login(client, carol).get(reverse("library:list")).content.decode()
    assert "Lyon drill" in body and edit not in body
    assert client.get(edit).status_code == 404


def test_an_empty_school_library_says_how_to_fill_it(client, alice, lyon):
    make_template(alice, "Alice's drill")
    body = login(client, alice).get(reverse("library:list")).content.decode()
    sections = body.split('id="own-templates"')[1]
    assert "Alice&#x27;s drill" in sections.split("</section>")[0]
    assert "No templates in Lyon Sim Centre's library yet" in body
    # In order: mine, the school's, the shipped ones.
    assert body.index("My templates") < body.index("Lyon Sim Centre's library")
    assert body.index("Lyon Sim Centre's library") < body.index("Shipped with Shiller")


def test_a_trainer_without_a_school_sees_no_library_section(alice_client):
    body = alice_client.get(reverse("library:list")).content.decode()
    assert "library" not in body.split('id="shipped-templates"')[0].split('id="own-templates"')[1]
    assert "Septic shock" in body


def test_a_school_library_is_alphabetical(client, bob, carol, lyon):
    for name in ("Zeta drill", "alpha drill", "Émeute"):
        shared(make_template(carol, name), lyon)
    body = login(client, bob).get(reverse("library:list")).content.decode()
    positions = [body.index(name) for name in ("alpha drill", "Émeute", "Zeta drill")]
    assert positions == sorted(positions)


# Another school's templates look like no template.


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("detail", "get"),
        ("edit", "get"),
        ("edit", "post"),
        ("duplicate", "post"),
        ("delete", "get"),
        ("delete", "post"),
    ],
)
def test_another_schools_template_is_not_found(client, alice, lyon, paris_drill, name, method):
    url = reverse(f"library:{name}", args=[paris_drill.pk])
    data = edit_post(name="Taken", school=lyon) if method == "post" else None
    r = getattr(login(client, alice), method)(url, data)
    assert r.status_code == 404
    paris_drill.refresh_from_db()
    assert paris_drill.name == "Paris drill" and paris_drill.version == 1
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_a_session_cannot_start_from_another_schools_template(client, alice, lyon, paris_drill):
    r = login(client, alice).post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(paris_drill.pk)},
    )
    assert r.status_code == 200 and 'data-field="template"' in r.content.decode()
    assert not Session.objects.exists()


# A trainer of the school: read, duplicate, start; not edit.


def test_a_school_trainer_reads_a_colleagues_template_without_edit_or_delete(
    client, bob, lyon_drill
):
    r = login(client, bob).get(reverse("library:detail", args=[lyon_drill.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Shared with Lyon Sim Centre" in body and "by Carol Roux" in body
    assert "version 1" in body
    assert reverse("library:duplicate", args=[lyon_drill.pk]) in body
    assert reverse("library:edit", args=[lyon_drill.pk]) not in body
    assert reverse("library:delete", args=[lyon_drill.pk]) not in body


@pytest.mark.parametrize(
    ("name", "method"), [("edit", "get"), ("edit", "post"), ("delete", "get"), ("delete", "post")]
)
def test_a_school_trainer_cannot_edit_or_delete_a_colleagues_template(
    client, bob, lyon, lyon_drill, name, method
):
    url = reverse(f"library:{name}", args=[lyon_drill.pk])
    data = edit_post(name="Bob's now", school=lyon) if method == "post" else None
    r = getattr(login(client, bob), method)(url, data)
    assert r.status_code == 404
    lyon_drill.refresh_from_db()
    assert lyon_drill.name == "Lyon drill" and lyon_drill.version == 1


def test_duplicating_a_school_template_makes_a_personal_copy(client, bob, lyon_drill):
    lyon_drill.version = 4
    lyon_drill.save(update_fields=["version"])
    r = login(client, bob).post(reverse("library:duplicate", args=[lyon_drill.pk]))
    copy = SessionTemplate.objects.get(name="Copy of Lyon drill")
    assert r.status_code == 302 and r["Location"] == reverse("library:edit", args=[copy.pk])
    assert (copy.trainer, copy.school, copy.version) == (bob, None, 1)
    assert copy.steps.count() == 2


def test_a_session_from_a_school_template_records_it_and_its_version(client, bob, lyon_drill):
    lyon_drill.version = 3
    lyon_drill.save(update_fields=["version"])
    login(client, bob)
    r = client.get(reverse("sessions:new"), {"template": lyon_drill.pk})
    assert "Lyon drill" in r.content.decode()
    r = client.post(
        reverse("sessions:new"),
        {"trainee_name": "Alex", "duration_minutes": "30", "template": str(lyon_drill.pk)},
    )
    session = Session.objects.get()
    assert r.status_code == 302
    assert (session.trainer, session.template, session.template_version) == (bob, lyon_drill, 3)
    assert len(session.steps) == 2


# Who edits: the author and the school's admins.


def test_the_author_edits_their_school_template(client, carol, lyon, lyon_drill):
    r = login(client, carol).post(
        reverse("library:edit", args=[lyon_drill.pk]), edit_post("Renamed", lyon)
    )
    assert r.status_code == 302
    lyon_drill.refresh_from_db()
    assert (lyon_drill.name, lyon_drill.school, lyon_drill.version) == ("Renamed", lyon, 2)


def test_a_school_admin_edits_it_and_the_author_stays(client, alice, carol, lyon, lyon_drill):
    login(client, alice)
    r = client.get(reverse("library:edit", args=[lyon_drill.pk]))
    body = r.content.decode()
    # The library is the only choice: only the author takes it out.
    assert f'<option value="{lyon.pk}" selected>Lyon Sim Centre</option>' in body
    assert "Only me" not in body
    assert "Only its author can move it out of this library." in body
    r = client.post(reverse("library:edit", args=[lyon_drill.pk]), edit_post("Fixed", lyon))
    assert r.status_code == 302
    lyon_drill.refresh_from_db()
    assert (lyon_drill.name, lyon_drill.trainer, lyon_drill.school) == ("Fixed", carol, lyon)
    assert lyon_drill.version == 2


def test_a_school_admin_cannot_take_a_template_out_of_the_library(client, alice, lyon_drill):
    r = login(client, alice).post(reverse("library:edit", args=[lyon_drill.pk]), edit_post("Mine"))
    assert r.status_code == 400
    assert (
        "Only its author can take this template out of Lyon Sim Centre&#x27;s library."
        in r.content.decode()
    )
    lyon_drill.refresh_from_db()
    assert (lyon_drill.name, lyon_drill.version) == ("Lyon drill", 1)
    assert lyon_drill.school is not None


def test_the_author_makes_it_personal_again(client, bob, carol, lyon_drill):
    r = login(client, carol).post(reverse("library:edit", args=[lyon_drill.pk]), edit_post())
    assert r.status_code == 302
    lyon_drill.refresh_from_db()
    assert lyon_drill.school is None
    r = login(client, bob).get(reverse("library:detail", args=[lyon_drill.pk]))
    assert r.status_code == 404


def test_a_school_admin_deletes_a_colleagues_template(client, alice, lyon_drill):
    r = login(client, alice).post(reverse("library:delete", args=[lyon_drill.pk]))
    assert r.status_code == 302
    assert not SessionTemplate.objects.filter(pk=lyon_drill.pk).exists()


# Sharing.


def test_a_new_template_is_shared_with_my_school(client, bob, carol, lyon):
    login(client, carol)
    body = client.get(reverse("library:new")).content.decode()
    assert "Shared with" in body and "Only me" in body and "Lyon Sim Centre" in body
    r = client.post(
        reverse("library:new"), {**form_post(steps=[step_fields()]), "school": str(lyon.pk)}
    )
    template = SessionTemplate.objects.get(trainer=carol)
    assert r.status_code == 302
    assert (template.school, template.version) == (lyon, 1)
    assert "Sepsis drill" in login(client, bob).get(reverse("library:list")).content.decode()


def test_sharing_with_a_school_i_do_not_belong_to_is_refused(client, carol, lyon, paris):
    login(client, carol)
    assert "Paris" not in client.get(reverse("library:new")).content.decode()
    r = client.post(
        reverse("library:new"), {**form_post(steps=[step_fields()]), "school": str(paris.pk)}
    )
    assert r.status_code == 400
    assert "You can only share a template with a school you belong to." in r.content.decode()
    assert not SessionTemplate.objects.filter(trainer=carol).exists()


def test_moving_a_template_to_a_foreign_school_is_refused(client, carol, lyon_drill, paris):
    r = login(client, carol).post(
        reverse("library:edit", args=[lyon_drill.pk]), edit_post("Moved", paris)
    )
    assert r.status_code == 400
    assert "You can only share a template with a school you belong to." in r.content.decode()
    lyon_drill.refresh_from_db()
    assert (lyon_drill.name, lyon_drill.school.name, lyon_drill.version) == (
        "Lyon drill", "Lyon Sim Centre", 1
    )


# Versions.


def test_each_save_is_a_new_version(client, carol, lyon, lyon_drill):
    login(client, carol)
    url = reverse("library:edit", args=[lyon_drill.pk])
    assert lyon_drill.version == 1
    for version in (2, 3):
        client.post(url, edit_post(f"Lyon drill v{version}", lyon))
        lyon_drill.refresh_from_db()
        assert lyon_drill.version == version
    body = client.get(reverse("library:detail", args=[lyon_drill.pk])).content.decode()
    assert "version 3" in body


def test_a_refused_save_is_no_version(client, carol, lyon, lyon_drill):
    data = {**edit_post(school=lyon), "steps-0-heart_rate": "-1"}
    r = login(client, carol).post(reverse("library:edit", args=[lyon_drill.pk]), data)
    assert r.status_code == 400
    lyon_drill.refresh_from_db()
    assert lyon_drill.version == 1


def test_a_personal_template_says_so(alice_client, alice):
    template = make_template(alice)
    body = alice_client.get(reverse("library:detail", args=[template.pk])).content.decode()
    assert "Personal" in body and "version 1" in body and "Shared with" not in body


# Shipped templates: everyone's, no one's to edit.


@pytest.mark.parametrize(
    ("name", "method"), [("edit", "get"), ("edit", "post"), ("delete", "get"), ("delete", "post")]
)
def test_no_school_admin_edits_a_shipped_template(client, alice, lyon, name, method):
    shipped = SessionTemplate.objects.get(name="Septic shock", trainer=None)
    url = reverse(f"library:{name}", args=[shipped.pk])
    data = edit_post("Ours now", lyon) if method == "post" else None
    r = getattr(login(client, alice), method)(url, data)
    assert r.status_code == 404
    shipped.refresh_from_db()
    assert (shipped.name, shipped.school, shipped.version) == ("Septic shock", None, 1)


def test_school_members_still_see_the_shipped_templates(client, bob, lyon_drill):
    body = login(client, bob).get(reverse("library:list")).content.decode()
    shipped = body.split('id="shipped-templates"')[1]
    assert "Septic shock" in shipped and "Lyon drill" not in shipped
