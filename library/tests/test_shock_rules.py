"""A step says what a shock does: the editor saves it, refuses what cannot be, the shipped VF
arrest has its rules, and a session started from a template copies them."""

import pytest
from django.urls import reverse

from library.models import SessionTemplate
from library.tests.test_templates import SHOCK, form_post, step_fields
from sessions_app import scenarios
from simulator import vitals

pytestmark = pytest.mark.django_db

VF = {**vitals.DEFAULT_VALUES, "heart_rate": 0, "flags": {**vitals.DEFAULT_VALUES["flags"], "rhythm": "ventricular_fibrillation"}}
VF_ARREST = "Ventricular fibrillation arrest"


def with_rule(values, joules="", go_to="", after="", sync="") -> dict:
    return {
        **step_fields(values),
        "shock_min_joules": joules,
        "shock_go_to": go_to,
        "shock_after_seconds": after,
        "shock_sync": sync,
    }


def test_a_step_says_what_a_shock_does_and_the_template_shows_it(alice_client, alice):
    steps = [with_rule(VF, joules="150", go_to="2", after="5"), with_rule(SHOCK)]
    r = alice_client.post(reverse("library:new"), form_post(steps=steps), follow=True)
    template = SessionTemplate.objects.get(trainer=alice)
    first, second = template.steps.all()
    assert first.on_shock == {"min_joules": 150, "sync": None, "go_to": 1, "after_seconds": 5}
    assert second.on_shock is None
    assert "On a shock of at least 150 J: step 2 after 5 s" in r.content.decode()
    # The editor shows it again as the trainer typed it.
    edit = alice_client.get(reverse("library:edit", args=[template.pk])).content.decode()
    assert 'name="steps-0-shock_go_to" value="2"' in edit


@pytest.mark.parametrize(
    "rule, field, message",
    [
        ({"joules": "150", "go_to": "3"}, "shock_go_to", "Go to a step of this template (1 to 2)."),
        ({"joules": "150"}, "shock_go_to", "Go to a step of this template (1 to 2)."),
        ({"go_to": "2"}, "shock_min_joules", "The shock&#x27;s energy is from 1 to 360 J."),
        ({"joules": "400", "go_to": "2"}, "shock_min_joules", "The shock&#x27;s energy is from 1 to 360 J."),
        ({"joules": "150", "go_to": "2", "after": "601"}, "shock_after_seconds", "After 0 to 600 seconds."),
    ],
)
def test_a_rule_that_cannot_be_is_refused_and_nothing_is_stored(alice_client, alice, rule, field, message):
    steps = [with_rule(VF, **rule), with_rule(SHOCK)]
    r = alice_client.post(reverse("library:new"), form_post(steps=steps))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_the_shipped_vf_arrest_converts_on_shocks_of_150_joules(alice):
    template = SessionTemplate.objects.get(name=VF_ARREST, trainer=None)
    rules = [step.on_shock for step in template.steps.all()]
    assert rules == [
        None,
        {"min_joules": 150, "sync": None, "go_to": 2, "after_seconds": 2},
        {"min_joules": 150, "sync": None, "go_to": 3, "after_seconds": 5},
        None,
        None,
    ]
    session = scenarios.start_session(alice, "Alex", 60, template)
    assert [step["on_shock"] for step in session.steps] == rules


def test_the_cockpit_shows_the_steps_rules_in_french(alice_client, alice):
    template = SessionTemplate.objects.get(name=VF_ARREST, trainer=None)
    session = scenarios.start_session(alice, "Alex", 60, template)
    r = alice_client.get(reverse("sessions:control", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Sur un choc d’au moins 150 J : étape 4 après 5 s" in r.content.decode()
