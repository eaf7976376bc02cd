import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import Membership, School


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name"]
        labels = {"name": _("School name")}
        help_texts = {"name": _("Your simulation centre or faculty, as your colleagues know it.")}

    def clean_name(self):
        # Shown in headings and in the invitations' subject line: one line, no control characters.
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the school a name."))
        if any(unicodedata.category(character)[0] == "C" for character in name):
            raise forms.ValidationError(_("A school's name is one line of text."))
        return name


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.ROLES.items(), initial=Membership.TRAINER
    )

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.ROLES.items())
