from django.apps import AppConfig


class GraderConfig(AppConfig):
    """The human grading: reports, rubrics and grades (the scoring engine is grader.scoring)."""

    name = "grader"
    default_auto_field = "django.db.models.BigAutoField"
