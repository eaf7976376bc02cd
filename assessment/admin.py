from django.contrib import admin

from assessment.models import LmsToken, LoggedAction
from sessions_app.admin import ReadOnlyAdminMixin


@admin.register(LoggedAction)
class LoggedActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the faculty logged, for audit: written on the control page, never here."""

    list_display = ["name", "session", "expected_key", "at", "author", "undoes"]
    list_filter = ["at"]
    search_fields = ["name", "session__code"]
    list_select_related = ["session", "author"]


@admin.register(LmsToken)
class LmsTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which keys a trainer gave a learning platform, and when each was last used; made and
    revoked on the trainer's profile page. The hash stays out of sight."""

    list_display = ["name", "trainer", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "trainer__email"]
    list_select_related = ["trainer"]
    exclude = ["key_hash"]
