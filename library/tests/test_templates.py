"""Scenario templates: the pages to list, create, edit, duplicate and delete them."""

import datetime

import pytest
from django.urls import reverse

from library import forms, services
from library.models import SessionTemplate, TemplateStep
from simulator import vitals

pytestmark = pytest.mark.django_db

SHIPPED_NAMES = {
    "Septic shock",
    "Anaphylaxis",
    "Haemorrhagic shock",
    "Opioid overdose",
    "Ventricular fibrillation arrest",
}

SHOCK = {
    **vitals.DEFAULT_VALUES,
    "systolic": 80,
    "diastolic": 45,
    "heart_rate": 130,
    "flags": {**vitals.DEFAULT_VALUES["flags"], "rhythm": "sinus_tachycardia"},
}


def make_template(trainer, name="Sepsis drill", steps=(vitals.DEFAULT_VALUES, SHOCK), notes=()):
    notes = list(notes) + [""] * (len(steps) - len(notes))
    return services.save_template(
        trainer,
        name,
        "A drill",
        [
            services.StepData(values, 30 * i, note)
            for i, (values, note) in enumerate(zip(steps, notes, strict=True))
        ],
    )


def step_fields(values=None, transition="0", note="", order="", delete=False) -> dict:
    """One step form's POST fields, as the browser sends them (no prefix)."""
    values = values or vitals.DEFAULT_VALUES
    fields = {
        field: "" if values.get(field) is None else str(values[field])
        for field in vitals.NUMBER_FIELDS
    }
    fields.update(
        rhythm=values["flags"]["rhythm"],
        # The selects post their choice, as a browser does.
        ecg_lead2=values["flags"].get("ecg_lead2", vitals.DEFAULT_ECG_LEAD2),
        abp_damping=values["flags"].get("abp_damping", "normal"),
        transition_seconds=transition,
        note=note,
        ORDER=order,
    )
    if values["flags"]["alarm"]:
        fields["alarm"] = "on"
    if delete:
        fields["DELETE"] = "on"
    return fields


def form_post(name="Sepsis drill", description="", steps=(), initial=0) -> dict:
    data = {
        "name": name,
        "description": description,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data.update({f"steps-{i}-{key}": value for key, value in step.items()})
    return data


def blank_step() -> dict:
    """The blank "new step" form at the end, untouched."""
    return {
        **{field: "" for field in vitals.NUMBER_FIELDS},
        "transition_seconds": "0",
        "rhythm": "sinus",
        # The selects post the choice they show.
        "ecg_lead2": vitals.DEFAULT_ECG_LEAD2,
        "abp_damping": "normal",
        "note": "",
        "ORDER": "",
    }


# The list.


def test_the_list_shows_the_shipped_templates_and_an_empty_state(alice_client):
    r = alice_client.get(reverse("library:list"))
    body = r.content.decode()
    assert r.status_code == 200
    assert "You have no templates of your own yet." in body
    for name in SHIPPED_NAMES:
        assert name in body


def test_the_list_shows_my_templates_and_not_bobs(alice_client, alice, bob):
    make_template(alice, "Alice's drill")
    make_template(bob, "Bob's drill")
    r = alice_client.get(reverse("library:list"))
    body = r.content.decode()
    assert "Alice&#x27;s drill" in body
    assert "Bob" not in body
    assert "You have no templates of your own yet." not in body


def test_anonymous_visitors_are_sent_to_login(client, alice):
    template = make_template(alice)
    for url in (
        reverse("library:list"),
        reverse("library:new"),
        reverse("library:detail", args=[template.pk]),
        reverse("library:edit", args=[template.pk]),
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# Create.


def test_it_creates_a_template_with_its_steps(alice_client, alice):
    r = alice_client.post(
        reverse("library:new"),
        form_post(
            description="Pneumonia to shock",
            steps=[step_fields(SHOCK, transition="180", note="Give 1 L of crystalloid")],
        ),
        follow=True,
    )
    template = SessionTemplate.objects.get(trainer=alice)
    assert r.redirect_chain[-1][0] == reverse("library:detail", args=[template.pk])
    body = r.content.decode()
    assert "Template saved." in body
    assert "Give 1 L of crystalloid" in body and "over 180 s" in body
    step = template.steps.get()
    assert (template.name, template.description) == ("Sepsis drill", "Pneumonia to shock")
    assert step.values == vitals.validate(SHOCK)
    assert (step.position, step.transition_seconds) == (0, 180)


def test_the_new_template_page_has_three_blank_steps_each_a_fieldset(alice_client):
    r = alice_client.get(reverse("library:new"))
    body = r.content.decode()
    assert r.status_code == 200
    for number in (1, 2, 3):
        assert f'<fieldset class="card step-form" id="step-{number}">' in body
        assert f"<legend>Step {number} (new)</legend>" in body
    assert 'name="steps-2-heart_rate"' in body and 'name="steps-3-heart_rate"' not in body
    assert 'name="steps-0-note"' in body and 'name="steps-0-ORDER"' in body
    # Without a script that is all; the script's "Add steps" copies the blank step of the page.
    assert '<p class="add-steps" id="add-steps" hidden>' in body
    assert 'name="steps-__prefix__-heart_rate"' in body and "Step __number__ (new)" in body


def test_its_checkbox_groups_have_a_legend_and_each_box_its_label(alice_client):
    body = alice_client.get(reverse("library:new")).content.decode()
    group = body[body.index('<fieldset class="field field-hidden">') :]
    group = group[: group.index("</fieldset>")]
    assert "<legend>Not connected</legend>" in group
    assert group.count("<label") == len(vitals.PARAMETERS)  # one per box, none around them all
    assert 'id="id_steps-0-transition_seconds_helptext">0 is instant; up to 900' in body


def test_bad_step_values_are_shown_at_the_field_and_nothing_is_stored(alice_client, alice):
    bad = step_fields({**SHOCK, "diastolic": 90})  # above the systolic
    r = alice_client.post(reverse("library:new"), form_post(steps=[bad]))
    body = r.content.decode()
    assert r.status_code == 400
    assert 'data-field="diastolic">Diastolic must be lower than systolic.' in body
    assert not SessionTemplate.objects.filter(trainer=alice).exists()
    assert not TemplateStep.objects.filter(template__trainer=alice).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("heart_rate", "400", "Heart rate must be between 0 and 300."),
        ("spo2", "", "SpO2 is required."),
        ("transition_seconds", "901", "The transition must be from 0 to 900 seconds"),
        ("temperature", "50", "Temperature must be between 25.0 and 45.0."),
    ],
)
def test_each_refused_value_names_its_field(alice_client, alice, field, value, message):
    step = {**step_fields(), field: value}
    r = alice_client.post(reverse("library:new"), form_post(steps=[step]))
    assert r.status_code == 400
    assert f'data-field="{field}">{message}' in r.content.decode()
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_a_template_needs_a_name_and_a_step(alice_client, alice):
    r = alice_client.post(reverse("library:new"), form_post(name="", steps=[blank_step()]))
    body = r.content.decode()
    assert r.status_code == 400
    assert 'data-field="name">This field is required.' in body
    assert "A template needs at least one step." in body
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


# Edit: add, remove, reorder.


def _edit(client, template, steps, name="Sepsis drill"):
    return client.post(
        reverse("library:edit", args=[template.pk]),
        form_post(name=name, steps=steps, initial=template.steps.count()),
    )


def test_the_edit_page_shows_the_steps_and_blank_ones(alice_client, alice):
    template = make_template(alice, notes=["Baseline", "Shock"])
    r = alice_client.get(reverse("library:edit", args=[template.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "<legend>Step 1</legend>" in body and "<legend>Step 2</legend>" in body
    assert "<legend>Step 3 (new)</legend>" in body and "<legend>Step 5 (new)</legend>" in body
    assert 'name="steps-1-heart_rate" value="130"' in body
    assert "\nShock</textarea>" in body


def test_editing_renames_and_adds_a_step(alice_client, alice):
    template = make_template(alice)
    steps = [
        step_fields(vitals.DEFAULT_VALUES, order="1"),
        step_fields(SHOCK, transition="30", order="2"),
        step_fields(SHOCK, transition="60", note="Noradrenaline"),  # the blank one, filled
    ]
    r = _edit(alice_client, template, steps, name="Sepsis, longer")
    assert r.status_code == 302
    template.refresh_from_db()
    assert template.name == "Sepsis, longer"
    assert [(s.position, s.note) for s in template.steps.all()] == [
        (0, ""),
        (1, ""),
        (2, "Noradrenaline"),
    ]


def test_an_untouched_blank_step_adds_nothing(alice_client, alice):
    template = make_template(alice)
    steps = [step_fields(order="1"), step_fields(SHOCK, transition="30", order="2"), blank_step()]
    assert _edit(alice_client, template, steps).status_code == 302
    assert template.steps.count() == 2


def test_editing_removes_a_step(alice_client, alice):
    template = make_template(alice, notes=["Baseline", "Shock"])
    steps = [
        step_fields(order="1", note="Baseline", delete=True),
        step_fields(SHOCK, transition="30", order="2", note="Shock"),
        blank_step(),
    ]
    assert _edit(alice_client, template, steps).status_code == 302
    assert [(s.position, s.note) for s in template.steps.all()] == [(0, "Shock")]


def test_editing_reorders_the_steps(alice_client, alice):
    template = make_template(alice, notes=["Baseline", "Shock"])
    steps = [
        step_fields(order="2", note="Baseline"),
        step_fields(SHOCK, transition="30", order="1", note="Shock"),
        blank_step(),
    ]
    assert _edit(alice_client, template, steps).status_code == 302
    assert [(s.position, s.note) for s in template.steps.all()] == [(0, "Shock"), (1, "Baseline")]
    r = alice_client.get(reverse("library:detail", args=[template.pk]))
    body = r.content.decode()
    assert body.index("Shock") < body.index("Baseline")


def test_removing_every_step_is_refused_and_keeps_them(alice_client, alice):
    template = make_template(alice)
    steps = [step_fields(order="1", delete=True), step_fields(SHOCK, order="2", delete=True)]
    r = _edit(alice_client, template, steps)
    assert r.status_code == 400
    assert "A template needs at least one step." in r.content.decode()
    assert template.steps.count() == 2


def test_a_bad_edit_changes_nothing(alice_client, alice):
    template = make_template(alice, notes=["Baseline", "Shock"])
    steps = [
        step_fields(order="2", note="Baseline"),
        step_fields({**SHOCK, "spo2": 101}, order="1", note="Shock"),
    ]
    r = _edit(alice_client, template, steps, name="Renamed")
    assert r.status_code == 400
    assert 'data-field="spo2">SpO2 must be between 0 and 100.' in r.content.decode()
    template.refresh_from_db()
    assert template.name == "Sepsis drill"
    assert [s.note for s in template.steps.all()] == ["Baseline", "Shock"]


def test_the_service_refuses_bad_values_naming_the_step(alice):
    with pytest.raises(vitals.VitalsError) as refused:
        make_template(alice, steps=[vitals.DEFAULT_VALUES, {**SHOCK, "heart_rate": -1}])
    assert list(refused.value.errors) == ["steps.2.heart_rate"]
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


# Duplicate and delete.


def test_duplicating_my_template_makes_a_copy_to_edit(alice_client, alice):
    template = make_template(alice, notes=["Baseline", "Shock"])
    r = alice_client.post(reverse("library:duplicate", args=[template.pk]), follow=True)
    copy = SessionTemplate.objects.get(trainer=alice, name="Copy of Sepsis drill")
    assert r.redirect_chain[-1][0] == reverse("library:edit", args=[copy.pk])
    assert "this copy is yours to edit" in r.content.decode()
    assert [(s.values, s.transition_seconds, s.note) for s in copy.steps.all()] == [
        (s.values, s.transition_seconds, s.note) for s in template.steps.all()
    ]


def test_duplicating_a_shipped_template_makes_it_mine(alice_client, alice):
    shipped = SessionTemplate.objects.get(name="Anaphylaxis", trainer=None)
    r = alice_client.post(reverse("library:duplicate", args=[shipped.pk]))
    copy = SessionTemplate.objects.get(trainer=alice)
    assert r.status_code == 302
    assert copy.name == "Copy of Anaphylaxis"
    assert copy.steps.count() == shipped.steps.count()
    assert shipped.steps.count() == 5  # the original is untouched
    r = alice_client.get(reverse("library:edit", args=[copy.pk]))
    assert r.status_code == 200


def test_duplicating_needs_a_post(alice_client, alice):
    template = make_template(alice)
    r = alice_client.get(reverse("library:duplicate", args=[template.pk]))
    assert r.status_code == 405


def test_deleting_asks_for_confirmation_then_deletes(alice_client, alice):
    template = make_template(alice)
    url = reverse("library:delete", args=[template.pk])
    r = alice_client.get(url)
    assert r.status_code == 200
    assert "Delete “Sepsis drill” and its steps?" in r.content.decode()
    assert SessionTemplate.objects.filter(pk=template.pk).exists()
    r = alice_client.post(url, follow=True)
    assert r.redirect_chain[-1][0] == reverse("library:list")
    assert "Template deleted." in r.content.decode()
    assert not SessionTemplate.objects.filter(pk=template.pk).exists()
    assert not TemplateStep.objects.filter(template_id=template.pk).exists()


# Isolation.


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
def test_another_trainers_template_is_not_found(bob_client, alice, name, method):
    template = make_template(alice)
    url = reverse(f"library:{name}", args=[template.pk])
    data = form_post(name="Taken", steps=[step_fields()], initial=2) if method == "post" else None
    r = getattr(bob_client, method)(url, data)
    assert r.status_code == 404
    template.refresh_from_db()
    assert template.name == "Sepsis drill" and template.steps.count() == 2
    assert not SessionTemplate.objects.filter(trainer__email="bob@example.org").exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("edit", "get"),
        ("edit", "post"),
        ("delete", "get"),
        ("delete", "post"),
    ],
)
def test_shipped_templates_are_read_only(alice_client, name, method):
    shipped = SessionTemplate.objects.get(name="Septic shock", trainer=None)
    url = reverse(f"library:{name}", args=[shipped.pk])
    data = (
        form_post(name="Mine now", steps=[step_fields()], initial=5) if method == "post" else None
    )
    r = getattr(alice_client, method)(url, data)
    assert r.status_code == 404
    shipped.refresh_from_db()
    assert shipped.name == "Septic shock" and shipped.steps.count() == 5


def test_a_shipped_template_page_offers_start_and_duplicate_only(alice_client):
    shipped = SessionTemplate.objects.get(name="Opioid overdose", trainer=None)
    r = alice_client.get(reverse("library:detail", args=[shipped.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Shipped, read-only" in body
    assert f"/sessions/new/?template={shipped.pk}" in body
    assert reverse("library:duplicate", args=[shipped.pk]) in body
    assert reverse("library:edit", args=[shipped.pk]) not in body
    assert reverse("library:delete", args=[shipped.pk]) not in body
    assert "naloxone" in body


def test_my_template_page_offers_edit_and_delete(alice_client, alice):
    template = make_template(alice)
    r = alice_client.get(reverse("library:detail", args=[template.pk]))
    body = r.content.decode()
    assert reverse("library:edit", args=[template.pk]) in body
    assert reverse("library:delete", args=[template.pk]) in body


# The shipped templates.


def test_the_five_shipped_templates_exist_and_every_step_validates():
    shipped = SessionTemplate.objects.filter(trainer=None)
    assert {t.name for t in shipped} == SHIPPED_NAMES
    for template in shipped:
        steps = list(template.steps.all())
        assert 3 <= len(steps) <= 6, template.name
        assert [s.position for s in steps] == list(range(len(steps)))
        assert template.description
        for step in steps:
            # Stored before the later flags (ECG leads off, no pulse, issue 15's), which take
            # their defaults, and before the invasive lines, which are absent.
            flags = {**vitals.DEFAULT_VALUES["flags"], **step.values["flags"]}
            clean = {**dict.fromkeys(vitals.INVASIVE_FIELDS), **step.values, "flags": flags}
            assert vitals.validate(step.values) == clean, (template.name, step.position)
            assert vitals.validate_transition(step.transition_seconds) == step.transition_seconds
            assert step.note, (template.name, step.position)
            # Adult monitoring, every sensor in use.
            for field in ("respiratory_rate", "etco2", "temperature"):
                assert step.values[field] is not None, (template.name, field)


def test_the_vf_arrest_template_alarms_red_and_asks_for_adrenaline():
    template = SessionTemplate.objects.get(name="Ventricular fibrillation arrest", trainer=None)
    rhythms = [s.values["flags"]["rhythm"] for s in template.steps.all()]
    assert "ventricular_fibrillation" in rhythms
    assert rhythms[-1] == "sinus"
    assert any("1 mg adrenaline" in s.note for s in template.steps.all())


# A tampered form.

TAMPERED = "The form was changed or is incomplete: reload the page and try again."


@pytest.mark.parametrize("total", [None, "abc", "-1", ""])
def test_a_tampered_step_count_is_refused_with_a_message(alice_client, alice, total):
    data = form_post(steps=[step_fields()])
    if total is None:
        del data["steps-TOTAL_FORMS"]
    else:
        data["steps-TOTAL_FORMS"] = total
    r = alice_client.post(reverse("library:new"), data)
    assert r.status_code == 400
    assert TAMPERED in r.content.decode()
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_a_tampered_form_is_explained_in_french(alice_client, alice):
    data = form_post(steps=[step_fields()])
    del data["steps-TOTAL_FORMS"]
    r = alice_client.post(reverse("library:new"), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 400
    assert "Le formulaire a été modifié ou est incomplet" in r.content.decode()


def test_a_huge_step_count_is_refused_without_building_its_forms(alice_client, alice, monkeypatch):
    built = []
    original = forms.TemplateStepForm.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(forms.TemplateStepForm, "__init__", counting_init)
    data = form_post(steps=[step_fields()])
    data["steps-TOTAL_FORMS"] = "1000000000"
    r = alice_client.post(reverse("library:new"), data)
    assert r.status_code == 400
    assert TAMPERED in r.content.decode()
    assert len(built) <= services.MAX_STEPS + 1
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


def test_one_step_too_many_is_refused(alice_client, alice):
    steps = [step_fields()] * (services.MAX_STEPS + 1)
    r = alice_client.post(reverse("library:new"), form_post(steps=steps))
    assert r.status_code == 400
    assert not SessionTemplate.objects.filter(trainer=alice).exists()


@pytest.mark.parametrize(
    "language, changed", [("en", "2 Dec 2026 14:05"), ("fr", "2 déc. 2026 14:05")]
)
def test_the_list_says_when_a_template_changed_with_the_month_spelled(
    alice_client, alice, language, changed
):
    template = make_template(alice)
    december_2nd = datetime.datetime(2026, 12, 2, 14, 5, tzinfo=datetime.UTC)
    SessionTemplate.objects.filter(pk=template.pk).update(updated_at=december_2nd)
    body = alice_client.get(reverse("library:list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f">{changed}</time>" in body and "12/02/2026" not in body and "02/12/2026" not in body


# Several steps at once.

FIVE_STEPS = [
    step_fields(vitals.DEFAULT_VALUES, note="Baseline"),
    step_fields(SHOCK, transition="120", note="Shock"),
    step_fields({**SHOCK, "systolic": 70, "diastolic": 40}, transition="60", note="Worse"),
    step_fields({**SHOCK, "heart_rate": 150}, transition="30", note="Fluids"),
    step_fields(vitals.DEFAULT_VALUES, transition="300", note="Recovered"),
]


def test_it_creates_a_template_of_five_steps_in_one_post(alice_client, alice):
    r = alice_client.post(reverse("library:new"), form_post(steps=[*FIVE_STEPS, blank_step()]))
    template = SessionTemplate.objects.get(trainer=alice)
    assert r.status_code == 302 and r["Location"] == reverse("library:detail", args=[template.pk])
    assert [(s.position, s.note, s.transition_seconds) for s in template.steps.all()] == [
        (0, "Baseline", 0),
        (1, "Shock", 120),
        (2, "Worse", 60),
        (3, "Fluids", 30),
        (4, "Recovered", 300),
    ]


def test_a_bad_step_among_five_stores_nothing_and_says_which(alice_client, alice):
    steps = [*FIVE_STEPS]
    steps[3] = {**steps[3], "heart_rate": "400"}
    steps[4] = {**steps[4], "spo2": ""}
    r = alice_client.post(reverse("library:new"), form_post(steps=steps))
    body = r.content.decode()
    assert r.status_code == 400
    assert "Nothing was saved: correct what is marked below." in body
    assert "Steps 4, 5 have errors." in body
    assert 'data-field="heart_rate">Heart rate must be between 0 and 300.' in body
    assert '<fieldset class="card step-form has-error" id="step-4">' in body
    assert "\nWorse</textarea>" in body  # what was typed is kept
    assert not SessionTemplate.objects.filter(trainer=alice).exists()
    assert not TemplateStep.objects.filter(template__trainer=alice).exists()


def test_the_summary_is_in_french_for_a_french_page(alice_client, alice):
    steps = [{**FIVE_STEPS[0], "heart_rate": "400"}]
    r = alice_client.post(reverse("library:new"), form_post(steps=steps), HTTP_ACCEPT_LANGUAGE="fr")
    body = r.content.decode()
    assert "Rien n'a été enregistré : corrigez ce qui est signalé ci-dessous." in body
    assert "L'étape 1 comporte une erreur." in body
    assert "<legend>Étape 1 (nouvelle)</legend>" in body
