from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sessions_app import vitals


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class SessionForm(forms.Form):
    trainee_name = forms.CharField(label=_("Trainee name"), max_length=100)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        initial=settings.SESSION_DEFAULT_MINUTES,
        min_value=settings.SESSION_MIN_MINUTES,
        max_value=settings.SESSION_MAX_MINUTES,
    )


def _number_field(name: str) -> forms.IntegerField:
    low, high = vitals.RANGES[name]
    return forms.IntegerField(
        label=vitals.LABELS[name],
        error_messages={
            "required": _("%(field)s is required.") % {"field": vitals.LABELS[name]},
            "invalid": _("%(field)s must be a whole number.") % {"field": vitals.LABELS[name]},
        },
        # Ranges are checked by vitals.validate(); these only guide the browser's input.
        widget=forms.NumberInput(attrs={"min": low, "max": high, "inputmode": "numeric"}),
    )


class VitalsForm(forms.Form):
    """The control page's form; its values go through the same vitals.validate() as a socket's."""

    systolic = _number_field("systolic")
    diastolic = _number_field("diastolic")
    heart_rate = _number_field("heart_rate")
    spo2 = _number_field("spo2")
    rhythm = forms.ChoiceField(label=vitals.LABELS["rhythm"], choices=vitals.RHYTHMS.items())
    alarm = forms.BooleanField(label=_("Alarm"), required=False)
    spo2_probe_off = forms.BooleanField(label=vitals.LABELS["spo2_probe_off"], required=False)

    @classmethod
    def initial_from(cls, values: dict | None) -> dict:
        values = values or vitals.DEFAULT_VALUES
        return {
            **{field: values[field] for field in vitals.NUMBER_FIELDS},
            **values["flags"],
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {field: data[field] for field in vitals.NUMBER_FIELDS}
        values["flags"] = {flag: data[flag] for flag in vitals.FLAG_KEYS}
        try:
            data["values"] = vitals.validate(values)
        except vitals.VitalsError as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data
