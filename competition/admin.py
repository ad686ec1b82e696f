from django.contrib import admin

from competition.models import (
    AuditEntry,
    Competition,
    CompetitionFile,
    Membership,
    Submission,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)
    exclude = ("competition",)


class CompetitionFileInline(admin.TabularInline):
    model = CompetitionFile
    extra = 0
    readonly_fields = ("kind", "name", "size", "uploaded_at")
    exclude = ("file",)


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    """Raw access. The hidden solution is set from the competition's settings page or
    create_competition (which check it); here it is only named, never linked."""

    list_display = ("title", "slug", "is_published", "metric", "start_at", "end_at")
    list_filter = ("is_published", "task_type")
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title", "slug")
    exclude = ("solution",)
    readonly_fields = ("solution_name",)
    inlines = (CompetitionFileInline,)

    @admin.display(description="hidden solution")
    def solution_name(self, competition: Competition) -> str:
        return competition.solution.name or "—"


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = (
        "id", "competition", "team", "user", "status", "public_score", "private_score",
        "is_late", "is_baseline", "selected", "created_at",
    )  # fmt: skip
    list_filter = ("competition", "status", "is_late", "is_baseline")
    search_fields = ("team__name", "user__username", "original_name")
    exclude = ("file",)
    readonly_fields = (
        "competition", "team", "user", "kind", "file_format", "original_name", "status",
        "error", "public_score", "private_score", "rows", "is_late", "is_baseline",
        "attempts", "created_at", "started_at", "finished_at",
    )  # fmt: skip


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "competition", "created_at")
    list_filter = ("competition",)
    search_fields = ("name", "memberships__user__username", "memberships__user__email")
    readonly_fields = ("invite_code", "created_at", "created_by")
    inlines = (MembershipInline,)

    def save_formset(self, request, form, formset, change):
        for membership in formset.save(commit=False):
            membership.competition = form.instance.competition
            membership.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The instructors' actions: read only, kept."""

    list_display = ("created_at", "competition", "actor", "action", "detail")
    list_filter = ("competition", "action")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
