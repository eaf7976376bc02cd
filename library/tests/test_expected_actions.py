"""Expected actions and scoring in the template editor, on the template's page, in its copies and
in the five shipped templates."""

import pytest
from django.urls import reverse

from assessment import expected
from library import services
from library.models import SessionTemplate
from library.tests.test_templates import blank_step, form_post, step_fields
from simulator import vitals

pytestmark = pytest.mark.django_db


def action_rows(prefix: str, rows: list[dict], blank: int = 0) -> dict:
    """A list of action rows as the page posts them: `prefix` "expected" or "steps-0"."""
    data = {f"{prefix}-action_rows": str(len(rows) + blank)}
    for number, row in enumerate([*rows, *[{}] * blank], start=1):
        fields = {
            "key": "",
            "name": "",
            "from": "step" if prefix.startswith("steps") else "scenario",
            "shock": "",
            "minutes": "",
            "seconds": "",
            "recognise": "",
            **row,
        }
        for part, value in fields.items():
            if part == "critical":
                if value:
                    data[f"{prefix}-act_{number}_critical"] = "on"
                continue
            data[f"{prefix}-act_{number}_{part}"] = value
    return data


def post_with_actions(scenario=(), step=(), scoring=None, step_actions_blank=1) -> dict:
    data = form_post(steps=[step_fields(), blank_step()])
    data.update(action_rows("steps-0", list(step)))
    data.update(action_rows("expected", list(scenario), blank=2))
    for name, value in (scoring or {}).items():
        data[f"expected-{name}"] = str(value)
    return data


def test_it_saves_the_scenarios_and_a_steps_expected_actions_and_the_scoring(alice_client, alice):
    data = post_with_actions(
        scenario=[{"name": "Adrenaline 1 mg", "from": "shock", "shock": "3", "minutes": "2",
                   "critical": True}],
        step=[{"name": "Call for help", "minutes": "1", "seconds": "30"},
              {"name": "First shock", "recognise": "first_shock", "minutes": "2"}],
        scoring={"on_time": 3, "late": 1, "missed": 0, "critical_missed": -10, "pass_percent": 80},
    )
    r = alice_client.post(reverse("library:new"), data)
    assert r.status_code == 302
    template = SessionTemplate.objects.get(trainer=alice)
    [adrenaline] = template.expected_actions
    assert {k: adrenaline[k] for k in ("name", "from", "shock_number", "target_seconds", "critical")} == {
        "name": "Adrenaline 1 mg", "from": "shock", "shock_number": 3, "target_seconds": 120,
        "critical": True,
    }
    help_, shock = template.steps.get(position=0).expected_actions
    assert (help_["name"], help_["from"], help_["target_seconds"], help_["recognise"]) == (
        "Call for help", "step", 90, None
    )
    assert (shock["recognise"], shock["target_seconds"]) == ("first_shock", 120)
    assert template.scoring == {
        "on_time": 3, "late": 1, "missed": 0, "critical_missed": -10, "pass_percent": 80
    }
    # The blank rows and the untouched blank step added nothing.
    assert template.steps.count() == 1
    # Each action has its own key, which the edit page keeps.
    keys = {adrenaline["key"], help_["key"], shock["key"]}
    assert len(keys) == 3
    body = alice_client.get(reverse("library:edit", args=[template.pk])).content.decode()
    for key in keys:
        assert f'value="{key}"' in body


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"minutes": "5"}, "act_1_name", "Name the action (at most 120 characters)."),
        ({"name": "Shock", "from": "shock"}, "act_1_shock", "After shock 1 to 20."),
        ({"name": "Shock", "minutes": "0", "seconds": "0"}, "act_1_minutes",
         "The target time is from 1 second to 24 hours, or none."),
        ({"name": "Shock", "minutes": "1", "seconds": "75"}, "act_1_seconds",
         "Minutes, then 0 to 59 seconds."),
        ({"name": "Shock", "recognise": "telepathy"}, "act_1_recognise", "Select a valid choice."),
    ],
)
def test_a_bad_action_is_refused_at_its_field_and_nothing_is_stored(alice_client, alice, row, field, message):
    r = alice_client.post(reverse("library:new"), post_with_actions(step=[row]))
    assert r.status_code == 400
    body = r.content.decode()
    assert f'<p class="error" data-field="{field}">{message}' in body
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_a_scenario_action_cannot_count_from_a_step(alice_client, alice):
    data = post_with_actions(scenario=[{"name": "Antibiotics", "from": "step"}])
    r = alice_client.post(reverse("library:new"), data)
    assert r.status_code == 400
    assert 'data-field="act_1_from"' in r.content.decode()


def test_a_bad_scoring_is_refused_at_its_field(alice_client, alice):
    data = post_with_actions(scoring={"pass_percent": 120, "critical_missed": 3})
    r = alice_client.post(reverse("library:new"), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert '<p class="error" data-field="pass_percent">From 0 to 100.' in body
    assert '<p class="error" data-field="critical_missed">From -100 to 0.' in body
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_clearing_an_actions_name_removes_it(alice_client, alice):
    template = services.save_template(
        alice, "Drill", "", [services.StepData(vitals.DEFAULT_VALUES)],
        expected_actions=[{"name": "Oxygen", "target_seconds": 60}],
    )
    [kept] = template.expected_actions
    data = form_post(steps=[step_fields()], initial=1)
    data.update(action_rows("expected", [{"key": kept["key"], "name": "", "minutes": ""}]))
    r = alice_client.post(reverse("library:edit", args=[template.pk]), data)
    assert r.status_code == 302
    template.refresh_from_db()
    assert template.expected_actions == []


def test_the_edit_page_offers_blank_rows_for_each_list_without_a_script(alice_client):
    body = alice_client.get(reverse("library:new")).content.decode()
    # The scenario's two blank rows and each of the three blank steps' two.
    assert 'name="expected-action_rows" value="2"' in body
    assert 'name="steps-0-action_rows" value="2"' in body
    assert 'name="expected-act_2_name"' in body and 'name="steps-2-act_2_name"' in body
    assert 'name="expected-pass_percent" value="70"' in body


def test_the_template_page_lists_the_actions_and_the_scoring(alice_client, alice):
    template = services.save_template(
        alice, "Drill", "", [services.StepData(vitals.DEFAULT_VALUES, expected_actions=[
            {"name": "Call for help", "target_seconds": 90, "critical": True}])],
        expected_actions=[{"name": "Adrenaline", "from": "shock", "shock_number": 3}],
    )
    body = alice_client.get(reverse("library:detail", args=[template.pk])).content.decode()
    assert "Call for help" in body and "within 1 min 30 s of the step&#x27;s start" in body
    assert "Adrenaline" in body and "after shock 3" in body
    assert "pass mark 70 %" in body


def test_duplicating_a_template_copies_its_actions_and_scoring(alice):
    template = services.save_template(
        alice, "Drill", "", [services.StepData(vitals.DEFAULT_VALUES, expected_actions=[
            {"name": "Call for help"}])],
        expected_actions=[{"name": "Oxygen"}], scoring={**expected.DEFAULT_SCORING, "late": 0},
    )
    copy = services.duplicate_template(template, alice)
    assert [a["name"] for a in copy.expected_actions] == ["Oxygen"]
    assert [a["name"] for a in copy.steps.get().expected_actions] == ["Call for help"]
    assert copy.scoring["late"] == 0


def test_a_shipped_template_is_copied_with_its_action_names_translated(alice):
    from django.utils import translation

    shipped = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    with translation.override("fr"):
        copy = services.duplicate_template(shipped, alice)
    names = [a["name"] for a in copy.expected_actions]
    assert "Adrénaline 1 mg IV" in names
    step_names = [a["name"] for a in copy.steps.get(position=1).expected_actions]
    assert "Premier choc" in step_names


# The shipped templates.


@pytest.mark.parametrize(
    ("name", "step", "key", "target", "critical"),
    [
        ("Septic shock", 0, "antibiotics", 3600, True),
        ("Septic shock", 0, "cultures", 3600, True),
        ("Septic shock", 2, "noradrenaline", 600, True),
        ("Anaphylaxis", 1, "adrenaline", 180, True),
        ("Haemorrhagic shock", None, "txa", 3600, True),
        ("Opioid overdose", 0, "bvm", 120, True),
        ("Ventricular fibrillation arrest", 1, "shock1", 120, True),
        ("Ventricular fibrillation arrest", 1, "cpr", 60, True),
        ("Ventricular fibrillation arrest", None, "adrenaline", 120, True),
    ],
)
def test_the_shipped_templates_have_their_expected_actions(name, step, key, target, critical):
    template = SessionTemplate.objects.get(name=name, trainer=None)
    listed = template.expected_actions if step is None else template.steps.get(position=step).expected_actions
    [action] = [a for a in listed if a["key"] == key]
    assert (action["target_seconds"], action["critical"]) == (target, critical)
    # Each list passes the one validator as it stands.
    assert expected.clean_expected_actions(listed, in_step=step is not None) == listed
    assert expected.clean_scoring(template.scoring) == template.scoring


def test_the_vf_arrest_recognises_its_first_shock_and_cpr_and_counts_adrenaline_from_shock_3():
    template = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    step = {a["key"]: a for a in template.steps.get(position=1).expected_actions}
    assert (step["shock1"]["recognise"], step["cpr"]["recognise"]) == ("first_shock", "cpr_started")
    adrenaline = next(a for a in template.expected_actions if a["key"] == "adrenaline")
    assert (adrenaline["from"], adrenaline["shock_number"]) == ("shock", 3)


def test_a_shipped_templates_actions_show_in_french(alice_client):
    shipped = SessionTemplate.objects.get(name="Septic shock", trainer=None)
    url = reverse("library:detail", args=[shipped.pk])
    body = alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Antibiotiques à large spectre" in body
    assert "Hémocultures" in body
    assert "Noradrénaline débutée" in body
    english = alice_client.get(url).content.decode()
    assert "Broad-spectrum antibiotics" in english
