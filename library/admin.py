from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from library.models import SessionTemplate, TemplateStep
from sessions_app.admin import ReadOnlyAdminMixin


class TemplateStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TemplateStep
    fields = ["position", "values", "transition_seconds", "note", "expected_actions"]
    readonly_fields = fields
    extra = 0


@admin.register(SessionTemplate)
class SessionTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Trainers' templates, for audit: made and changed on the trainers' pages, not here."""

    list_display = ["name", "trainer", "school", "version", "step_count", "created_at", "updated_at"]
    list_filter = [("trainer", admin.EmptyFieldListFilter), "school", "updated_at"]
    search_fields = ["name", "trainer__email", "school__name"]
    list_select_related = ["trainer", "school"]
    readonly_fields = [
        "id", "trainer", "school", "version", "name", "description", "expected_actions",
        "scoring", "created_at", "updated_at",
    ]
    inlines = [TemplateStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description=_("steps"), ordering="step_count")
    def step_count(self, template):
        return template.step_count
