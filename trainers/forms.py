from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from assessment.models import LmsToken
from trainers.models import Trainer


class TrainerCreationForm(BaseUserCreationForm):
    class Meta:
        model = Trainer
        fields = ["email"]


class TrainerChangeForm(UserChangeForm):
    class Meta:
        model = Trainer
        fields = "__all__"


class SignupForm(BaseUserCreationForm):
    """An account made from an invitation: email, name and the password twice, checked by
    AUTH_PASSWORD_VALIDATORS."""

    class Meta:
        model = Trainer
        fields = ["email", "name"]
        help_texts = {"name": _("How colleagues see you on shared sessions. Optional.")}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Trainer.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email exists already: log in to accept instead.")
            )
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ["name"]
        labels = {"name": _("Your name")}
        help_texts = {
            "name": _("How colleagues see you: on shared sessions' changes, notes and debriefs.")
        }


class LmsTokenForm(forms.ModelForm):
    """A new key for the school's learning platform: named so that the trainer knows which
    platform holds it."""

    class Meta:
        model = LmsToken
        fields = ["name"]
        labels = {"name": _("Name of the key")}
        help_texts = {"name": _("Which platform it is for, e.g. Moodle of the nursing school.")}
