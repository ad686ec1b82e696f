from django.contrib import admin

from grader.models import Criterion, GradingScheme, RegradeRequest, Report, ReportGrade


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Raw access; instructors grade on the Grading pages, which serve the PDF."""

    list_display = ("team", "competition", "original_name", "pages", "uploaded_by", "uploaded_at")
    list_filter = ("competition",)
    search_fields = ("team__name", "original_name")
    readonly_fields = ("file", "size", "pages", "uploaded_at")
    raw_id_fields = ("team", "uploaded_by")


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("title", "competition", "max_points", "position")
    list_filter = ("competition",)


@admin.register(ReportGrade)
class ReportGradeAdmin(admin.ModelAdmin):
    list_display = ("team", "competition", "is_complete", "graded_by", "updated_at")
    list_filter = ("competition", "is_complete")


@admin.register(GradingScheme)
class GradingSchemeAdmin(admin.ModelAdmin):
    list_display = ("competition", "leaderboard_weight", "report_weight", "mode", "released")


@admin.register(RegradeRequest)
class RegradeRequestAdmin(admin.ModelAdmin):
    list_display = ("grade", "criterion", "requested_by", "created_at", "answered_at")
