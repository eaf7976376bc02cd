import pytest
from django.urls import reverse

from library.models import SessionTemplate
from library.tests.test_templates import make_template
from schools.models import School

pytestmark = pytest.mark.django_db


def test_templates_are_read_only_audit_with_their_steps(staff_client, alice):
    template = make_template(alice, notes=["Baseline", "Give 1 L of fluids"])
    r = staff_client.get(reverse("admin:library_sessiontemplate_changelist"), {"q": "alice"})
    body = r.content.decode()
    assert "Sepsis drill" in body and 'class="field-step_count">2<' in body
    r = staff_client.get(reverse("admin:library_sessiontemplate_change", args=[template.pk]))
    assert r.status_code == 200 and "Give 1 L of fluids" in r.content.decode()
    assert staff_client.get(reverse("admin:library_sessiontemplate_add")).status_code == 403
    shipped = SessionTemplate.objects.filter(trainer=None).count()
    r = staff_client.get(reverse("admin:library_sessiontemplate_changelist"))
    assert r.content.decode().count('class="field-step_count"') == shipped + 1


def test_the_audit_shows_each_templates_school_and_version(staff_client, alice):
    school = School.objects.create(name="Lyon Sim Centre")
    template = make_template(alice)
    template.school, template.version = school, 7
    template.save(update_fields=["school", "version"])
    changelist = reverse("admin:library_sessiontemplate_changelist")
    r = staff_client.get(changelist, {"school__id__exact": school.pk})
    body = r.content.decode()
    assert "Sepsis drill" in body and "Septic shock" not in body
    assert '<td class="field-school nowrap">Lyon Sim Centre</td>' in body
    assert '<td class="field-version">7</td>' in body
