"""The human grading of a competition: reports, the rubric, grades, regrade requests,
and how the course grade is made."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from competition.models import Competition, Team


def _report_path(report: "Report", filename: str) -> str:
    # The stored name never comes from the user; the original name is kept apart.
    return f"reports/{report.competition.slug}/{secrets.token_hex(16)}.pdf"


class Report(models.Model):
    """One uploaded version of a team's report. Every version is kept; the latest counts."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="reports")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=_report_path, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-uploaded_at", "-id")
        indexes = [models.Index(fields=("team", "uploaded_at"))]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.team} · {self.original_name}"


class Criterion(models.Model):
    """One line of a competition's rubric."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.title


class ReportGrade(models.Model):
    """The instructors' grade of one team's report. A draft until marked graded;
    students see it only once the competition's grades are released."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="report_grades"
    )
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="report_grade")
    comment = models.TextField(_("overall comment"), blank=True)
    is_complete = models.BooleanField(_("graded"), default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report grade")
        verbose_name_plural = _("report grades")

    def __str__(self) -> str:
        return f"{self.team}"


class CriterionScore(models.Model):
    grade = models.ForeignKey(ReportGrade, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("grade", "criterion"), name="one_score_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.points}"


class GradingScheme(models.Model):
    """How a competition's course grade is made, and whether students see their grades."""

    class Mode(models.TextChoices):
        RANK = "rank", _("By private rank, linearly from last to first")
        SCORE = "score", _("By private score, linearly from the baseline to the best team")

    competition = models.OneToOneField(
        Competition, on_delete=models.CASCADE, related_name="grading_scheme"
    )
    leaderboard_weight = models.DecimalField(
        _("leaderboard weight"),
        max_digits=6,
        decimal_places=2,
        default=40,
        validators=[MinValueValidator(0)],
        help_text=_("Points for the first place."),
    )
    report_weight = models.DecimalField(
        _("report weight"),
        max_digits=6,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0)],
        help_text=_("Points for a report with every rubric point."),
    )
    mode = models.CharField(
        _("leaderboard points"), max_length=10, choices=Mode.choices, default=Mode.RANK
    )
    released = models.BooleanField(_("grades released"), default=False)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("grading scheme")

    def __str__(self) -> str:
        return f"{self.competition}: {self.leaderboard_weight} + {self.report_weight}"


class RegradeRequest(models.Model):
    """After release, a team may ask once per criterion for a second look."""

    grade = models.ForeignKey(ReportGrade, on_delete=models.CASCADE, related_name="regrades")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="regrades")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("grade", "criterion"), name="one_regrade_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade} · {self.criterion}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
