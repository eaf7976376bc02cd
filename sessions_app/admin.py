from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sessions_app import fragments
from sessions_app.models import Session, SessionEvent, SessionMember, SessionNote, SessionResult


class ReadOnlyAdminMixin:
    """Events are the audit trail: visible in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SessionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionEvent
    fields = [
        "created_at",
        "kind",
        "systolic",
        "diastolic",
        "heart_rate",
        "spo2",
        "respiratory_rate",
        "etco2",
        "temperature",
        "flags",
        "transition_seconds",
        "detail",
        "author",
        "screen_id",
        "screen_label",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]
    extra = 0
    show_change_link = True


class SessionMemberInline(admin.TabularInline):
    """The team is the owner's to choose, on the control page: read here."""

    model = SessionMember
    fields = ["trainer", "role", "created_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.display(description=_("image"))
def image_name(result):
    """The stored name, not a link: only the session's screens and trainer are served the image."""
    return result.image.name


class SessionResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionResult
    fields = ["created_at", "kind", "title", "rows", "comment", image_name, "content_type"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(Session.STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in Session.STATUS_LABELS:
            return queryset.with_status(self.value())
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["code", "trainer", "trainee_name", "status_label", "expires_at", "event_count"]
    list_filter = [StatusFilter, "created_at", "expires_at"]
    search_fields = ["code", "trainee_name", "trainer__email"]
    # The monitor's state changes only through services (stored as events, broadcast): here it
    # is read, never edited.
    readonly_fields = [
        "id",
        "code",
        "trainer",
        "created_at",
        "last_values",
        "trend",
        "alarm_limits",
        "alarms_silenced_until",
        "nibp_started_at",
        "nibp_interval_minutes",
        "nibp_cycle_started_at",
        "template",
        "steps",
        "current_step",
        "template_version",
        "school",
    ]
    list_select_related = ["trainer"]
    inlines = [SessionMemberInline, SessionEventInline, SessionResultInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_event_count()

    @admin.display(description=_("changes"), ordering="event_count")
    def event_count(self, session):
        return session.event_count

    @admin.display(description=_("status"))
    def status_label(self, session):
        return session.status_label()


@admin.register(SessionEvent)
class SessionEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "session",
        "kind",
        "systolic",
        "diastolic",
        "heart_rate",
        "spo2",
        "flags",
        "author_shown",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = ["session__code", "author__email", "screen_label"]
    list_select_related = ["session", "author"]

    @admin.display(description=_("author"))
    def author_shown(self, event):
        return fragments.event_author(event)
    date_hierarchy = "created_at"


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trainer's notes, kept with the events: read in the admin, written on the pages."""

    list_display = ["at", "session", "author", "text", "created_at"]
    list_filter = ["at"]
    search_fields = ["session__code", "text", "author__email"]
    list_select_related = ["session", "author"]
    date_hierarchy = "at"


@admin.register(SessionResult)
class SessionResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Results sent to the bedside, part of the record: read here, sent from the control page."""

    list_display = ["created_at", "session", "kind", "title", "content_type"]
    list_filter = ["kind", "created_at"]
    search_fields = ["session__code", "title"]
    list_select_related = ["session"]
    fields = ["session", "kind", "title", "rows", "comment", image_name, "content_type",
              "shipped_text", "created_at"]  # fmt: skip
    readonly_fields = fields
