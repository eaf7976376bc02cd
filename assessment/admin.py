from django.contrib import admin

from assessment.models import LoggedAction
from sessions_app.admin import ReadOnlyAdminMixin


@admin.register(LoggedAction)
class LoggedActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the faculty logged, for audit: written on the control page, never here."""

    list_display = ["name", "session", "expected_key", "at", "author", "undoes"]
    list_filter = ["at"]
    search_fields = ["name", "session__code"]
    list_select_related = ["session", "author"]
