"""Results in templates: the editor, the shipped ones, and a session that applies a step."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from library.models import SessionTemplate, TemplateStep
from library.tests.test_templates import blank_step, form_post, step_fields
from sessions_app import fragments, scenarios
from sessions_app.models import SessionEvent, SessionResult
from simulator import vitals

pytestmark = pytest.mark.django_db

SEPTIC_SHOCK = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000001")
ANAPHYLAXIS = uuid.UUID("5a0c1e4e-3b1f-4c55-9b51-000000000002")


def test_the_shipped_septic_shock_sends_a_lactate_and_anaphylaxis_a_tryptase():
    shock = TemplateStep.objects.get(template_id=SEPTIC_SHOCK, position=1)
    lactate = next(row for row in shock.results[0]["rows"] if row.get("analyte") == "lactate")
    assert (lactate["value"], lactate["unit"], lactate["flag"]) == (4.8, "mmol/L", "H")
    note = TemplateStep.objects.get(template_id=ANAPHYLAXIS, position=3).results[0]
    assert note["title"] == "Mast cell tryptase" and "tryptase" in note["comment"]
    # Every shipped template has some.
    for template in SessionTemplate.objects.filter(trainer=None):
        assert any(step.results for step in template.steps.all()), template.name


def test_a_trainer_saves_a_step_with_a_blood_gas_and_a_lab_comment(alice_client, alice):
    step = {
        **step_fields(),
        "gas_ph": "7,21",
        "gas_lactate": "4.8",
        "lab_1_name": "Tryptase",
        "lab_1_value": "38",
        "lab_1_unit": "µg/L",
        "lab_1_high": "11.4",
        "lab_comment": "Repeat at 2 h.",
    }
    r = alice_client.post(reverse("library:new"), form_post(steps=[step, blank_step()]))
    assert r.status_code == 302
    saved = TemplateStep.objects.get(template__trainer=alice)
    gas, lab = saved.results
    assert [(row["analyte"], row["value"], row["flag"]) for row in gas["rows"]] == [
        ("ph", 7.21, "L"),
        ("lactate", 4.8, "H"),
    ]
    assert lab["rows"][0]["flag"] == "H" and lab["comment"] == "Repeat at 2 h."
    # The editor shows them back.
    body = alice_client.get(reverse("library:edit", args=[saved.template_id])).content.decode()
    assert 'value="7.21"' in body and 'value="Tryptase"' in body


def test_the_editor_puts_a_results_mistake_beside_its_field(alice_client):
    step = {**step_fields(), "result_glucose": "sweet", "lab_2_value": "4"}
    r = alice_client.post(reverse("library:new"), form_post(steps=[step]))
    assert r.status_code == 400
    body = r.content.decode()
    assert "Glucose must be a number from 0.5 to 60." in body
    assert "Row 2 needs a name." in body
    assert not TemplateStep.objects.filter(template__trainer__isnull=False).exists()


def test_applying_a_step_sends_its_results_after_its_values(alice):
    template = SessionTemplate.objects.get(pk=SEPTIC_SHOCK)
    session = scenarios.start_session(alice, "Alex", 60, template)
    assert session.steps[1]["results"][0]["shipped_text"] is True
    scenarios.apply_step(session.pk, 1, trainer=alice)
    kinds = list(session.events.order_by("created_at").values_list("kind", flat=True))
    assert kinds == [SessionEvent.VITALS, SessionEvent.RESULT]
    result = SessionResult.objects.get(session=session)
    assert result.shipped_text
    # Shown in the screen's language, as the template's notes are.
    with translation.override("fr"):
        card = fragments.result_card(result, None)
    assert "Gaz du sang artériel sous 4 L/min d’oxygène" in card and "4,8" in card


def test_the_control_page_says_what_each_step_sends(alice, alice_client):
    session = scenarios.start_session(alice, "Alex", 60, SessionTemplate.objects.get(pk=ANAPHYLAXIS))
    body = alice_client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    assert "Mast cell tryptase: First tryptase sample sent." in body


def test_a_duplicated_shipped_template_keeps_its_results_in_the_trainers_words(alice_client, alice):
    url = reverse("library:duplicate", args=[SEPTIC_SHOCK])
    alice_client.post(url, HTTP_ACCEPT_LANGUAGE="fr")
    copy = SessionTemplate.objects.get(trainer=alice)
    step = copy.steps.get(position=1)
    assert step.results[0]["title"] == "Gaz du sang artériel sous 4 L/min d’oxygène"
    assert vitals.validate(step.values)
