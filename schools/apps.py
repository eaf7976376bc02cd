from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    """Schools: trainers grouped with roles, invitations, and who may see and drive what."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"
    verbose_name = _("Schools")
