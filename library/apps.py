from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The scenario library: templates and their steps, their pages, the shipped ones."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "library"
    verbose_name = _("Scenario templates")
