from django.contrib import admin

from schools.models import Invitation, Membership, School


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["trainer", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["trainer"]
    extra = 0


class InvitationInline(admin.TabularInline):
    """Sent from the school's page (the link exists only in the email): read here."""

    model = Invitation
    fields = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "created_at"]
    inlines = [MembershipInline, InvitationInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["trainer", "school", "role", "created_at"]
    list_filter = ["role", "school"]
    search_fields = ["trainer__email", "trainer__name", "school__name"]
    list_select_related = ["trainer", "school"]
    autocomplete_fields = ["trainer", "school"]
