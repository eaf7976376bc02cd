"""The library's forms: a template's name and description, and its steps as a formset."""

from django import forms
from django.forms import formset_factory
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from library.models import SessionTemplate
from library.services import MAX_STEPS, StepData
from sessions_app.forms import VitalsForm
from simulator import vitals


class TemplateForm(forms.ModelForm):
    class Meta:
        model = SessionTemplate
        fields = ["name", "description", "profile"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A page from before the patient field posts none: an adult, as before.
        self.fields["profile"].required = False

    def clean_profile(self):
        return self.cleaned_data["profile"] or vitals.DEFAULT_PROFILE


class TemplateStepForm(VitalsForm):
    """One step of a template: the control page's values, its transition, and a note."""

    note = forms.CharField(
        label=_("Note for the trainer"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the trainee should do, e.g. “give 1 mg adrenaline”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A blank "new step" left untouched must count as unchanged, so it is skipped.
        self.fields["rhythm"].initial = "sinus"

    @classmethod
    def initial_from_step(cls, step) -> dict:
        return {
            **cls.initial_from(step.values),
            "transition_seconds": step.transition_seconds,
            "note": step.note,
        }


class BaseStepFormSet(forms.BaseFormSet):
    default_error_messages = {
        "tampered": _("The form was changed or is incomplete: reload the page and try again."),
    }

    @cached_property
    def tampered(self) -> bool:
        """Step counts our page never sends: missing, not numbers, or more than a template holds."""
        if not self.is_bound:
            return False
        management = self.management_form
        if not management.is_valid():
            return True
        counts = management.cleaned_data
        return not 0 <= counts["INITIAL_FORMS"] <= counts["TOTAL_FORMS"] <= self.max_num

    def total_form_count(self):
        # No form is built from a tampered count: a 200-byte POST claiming a billion steps
        # would otherwise cost seconds of CPU (Django builds up to max_num + 1000 forms).
        return 0 if self.tampered else super().total_form_count()

    def full_clean(self):
        if not self.tampered:
            return super().full_clean()
        self._errors = []
        self._non_form_errors = self.error_class(
            [self.error_messages["tampered"]], error_class="nonform", renderer=self.renderer
        )

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.ordered_forms:
            raise forms.ValidationError(_("A template needs at least one step."))

    def steps(self) -> list[StepData]:
        """The kept steps (not deleted, not a blank new one), in the order the trainer gave."""
        return [
            StepData(
                form.cleaned_data["values"],
                form.cleaned_data["transition_seconds"],
                form.cleaned_data["note"],
            )
            for form in self.ordered_forms
        ]


# Add: the blank forms at the end (three without a script; template-edit.js adds any number);
# remove: "Delete"; reorder: the "Order" numbers.
StepFormSet = formset_factory(
    TemplateStepForm,
    formset=BaseStepFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
    max_num=MAX_STEPS,
    validate_max=True,
)
