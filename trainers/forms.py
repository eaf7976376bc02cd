from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm

from trainers.models import Trainer


class TrainerCreationForm(BaseUserCreationForm):
    class Meta:
        model = Trainer
        fields = ["email"]


class TrainerChangeForm(UserChangeForm):
    class Meta:
        model = Trainer
        fields = "__all__"
