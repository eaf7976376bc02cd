from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

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
