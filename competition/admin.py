from django.contrib import admin

from competition.models import Competition, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)
    exclude = ("competition",)


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_published", "start_at", "end_at", "team_size_limit")
    list_filter = ("is_published",)
    prepopulated_fields = {"slug": ("title",)}
    search_fields = ("title", "slug")


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
