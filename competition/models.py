import secrets
from datetime import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_invite_code() -> str:
    return secrets.token_urlsafe(9)


def hidden_storage():
    """Solutions and hidden inputs: a location apart from media that no URL serves."""
    return storages["hidden"]


def _solution_path(competition: "Competition", filename: str) -> str:
    return f"solutions/{competition.slug}-{secrets.token_hex(8)}.csv"


def _inputs_path(competition: "Competition", filename: str) -> str:
    return f"model-inputs/{competition.slug}-{secrets.token_hex(8)}.npz"


def _public_file_path(file: "CompetitionFile", filename: str) -> str:
    return f"competitions/{file.competition.slug}/{secrets.token_hex(8)}/{file.name}"


def _submission_path(submission: "Submission", filename: str) -> str:
    # The stored name never comes from the user (the original name is kept apart).
    suffix = {"csv": ".csv", "csv.gz": ".csv.gz", "zip": ".zip", "keras": ".keras"}
    ext = suffix.get(submission.file_format, "")
    return f"submissions/{submission.competition.slug}/{secrets.token_hex(16)}{ext}"


class ModelOutput(models.TextChoices):
    ARGMAX = "argmax", _("argmax over class probabilities, to a label")
    PROBABILITIES = "probabilities", _("class probabilities as they are")
    VALUE = "value", _("a regression value")


def _predictions_path(submission: "Submission", filename: str) -> str:
    return f"predictions/{submission.competition.slug}/{secrets.token_hex(16)}.csv"


class TaskType(models.TextChoices):
    BINARY = "binary", _("Binary classification")
    MULTICLASS = "multiclass", _("Multiclass classification")
    REGRESSION = "regression", _("Regression")


class Competition(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description (Markdown)"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Students see only published competitions.")
    )
    start_at = models.DateTimeField(_("start"))
    team_merger_at = models.DateTimeField(
        _("team merger deadline"),
        null=True,
        blank=True,
        help_text=_("No joining or leaving teams after this moment. Empty: the end date."),
    )
    end_at = models.DateTimeField(_("end"))
    team_size_limit = models.PositiveSmallIntegerField(_("team size limit"), default=4)

    task_type = models.CharField(
        _("task type"), max_length=20, choices=TaskType.choices, default=TaskType.MULTICLASS
    )
    metric = models.CharField(_("metric"), max_length=40, default="accuracy")
    id_column = models.CharField(_("id column"), max_length=100, default="id")
    target_column = models.CharField(
        _("target column"),
        max_length=100,
        blank=True,
        help_text=_("The solution's column to predict. Empty: the one besides id and Usage."),
    )
    solution = models.FileField(
        _("hidden solution"), storage=hidden_storage, upload_to=_solution_path, blank=True
    )
    public_fraction = models.FloatField(_("public fraction"), default=0.3)
    split_seed = models.IntegerField(_("split seed"), default=0)
    daily_limit = models.PositiveSmallIntegerField(_("submissions per team per day"), default=5)
    limit_timezone = models.CharField(
        _("day boundary time zone"),
        max_length=64,
        default="UTC",
        help_text=_("The daily limit resets at midnight in this time zone."),
    )
    final_selections = models.PositiveSmallIntegerField(_("final selections"), default=2)
    max_upload_mb = models.PositiveIntegerField(_("upload size limit (MB)"), default=20)
    accepts_csv = models.BooleanField(_("accepts prediction CSV files"), default=True)
    accepts_keras = models.BooleanField(_("accepts Keras models"), default=False)
    private_released = models.BooleanField(_("private leaderboard released"), default=False)
    public_frozen_at = models.DateTimeField(
        _("public leaderboard frozen at"),
        null=True,
        blank=True,
        help_text=_(
            "While set, the public leaderboard shows only submissions made before this "
            "moment; teams keep submitting and see their own scores."
        ),
    )
    report_deadline = models.DateTimeField(
        _("report deadline"), null=True, blank=True, help_text=_("Empty: the end date.")
    )
    report_max_pages = models.PositiveSmallIntegerField(_("report page limit"), default=1)
    report_max_mb = models.PositiveSmallIntegerField(_("report size limit (MB)"), default=10)

    # Keras model submissions: the model runs on hidden inputs in a sandbox.
    model_inputs = models.FileField(
        _("hidden model inputs (.npz with x and ids)"),
        storage=hidden_storage,
        upload_to=_inputs_path,
        blank=True,
    )
    model_input_shape = models.CharField(
        _("model input shape"), max_length=50, blank=True, help_text=_("One example, e.g. 8,8,1")
    )
    model_input_dtype = models.CharField(
        _("model input dtype"),
        max_length=10,
        default="float32",
        choices=[("float32", "float32"), ("uint8", "uint8"), ("float64", "float64")],
    )
    model_output = models.CharField(
        _("model output"), max_length=15, choices=ModelOutput.choices, default=ModelOutput.ARGMAX
    )
    model_max_params = models.PositiveIntegerField(_("model parameter limit"), default=5_000_000)
    model_max_mb = models.PositiveIntegerField(_("model size limit (MB)"), default=50)
    model_time_limit = models.PositiveIntegerField(
        _("model time limit (seconds)"),
        default=120,
        help_text=_("Wall-clock time to load the model and predict every hidden input."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-start_at", "slug")
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="competition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(team_size_limit__gte=1), name="competition_team_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def team_deadline(self) -> datetime:
        return self.team_merger_at or self.end_at

    def teams_locked(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.team_deadline

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.start_at <= now < self.end_at

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.end_at

    @property
    def report_due(self) -> datetime:
        return self.report_deadline or self.end_at

    def reports_open(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) < self.report_due

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one example a submitted model receives, e.g. (8, 8, 1)."""
        parts = self.model_input_shape.replace("(", "").replace(")", "").split(",")
        return tuple(int(part) for part in parts if part.strip())


class Team(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("team name"), max_length=64)
    invite_code = models.CharField(max_length=24, unique=True, default=new_invite_code)
    disqualified = models.BooleanField(_("disqualified"), default=False)
    disqualified_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ("competition", "name")
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                "competition", Lower("name"), name="team_name_unique_in_competition"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # competition repeats team.competition so that the database itself enforces
    # "one team per student per competition", even under concurrent requests.
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("joined_at", "id")
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=("competition", "user"), name="one_team_per_user_per_competition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class CompetitionFile(models.Model):
    """A public download: train data, test features, the sample submission."""

    class Kind(models.TextChoices):
        TRAIN = "train", _("Training data")
        TEST = "test", _("Test features")
        SAMPLE = "sample", _("Sample submission")
        OTHER = "other", _("Other")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to=_public_file_path)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("kind", "name")
        constraints = [
            models.UniqueConstraint(fields=("competition", "name"), name="file_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SCORED = "scored", _("scored")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        CSV = "csv", _("Prediction file")
        KERAS = "keras", _("Keras model")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="submissions"
    )
    # A baseline belongs to no team; every other submission to exactly one.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CSV)
    file = models.FileField(upload_to=_submission_path, max_length=300)
    file_format = models.CharField(max_length=10, default="csv")
    original_name = models.CharField(max_length=255, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    is_baseline = models.BooleanField(default=False)
    baseline_name = models.CharField(max_length=100, blank=True)
    selected = models.BooleanField(_("selected for the final"), default=False)
    # An instructor's exclusion keeps the row (and its scores) but takes it off every
    # leaderboard; the team sees the reason.
    excluded = models.BooleanField(_("excluded by the instructors"), default=False)
    excluded_reason = models.CharField(_("reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery message that claimed it (a re-delivery of the same message may claim
    # it again; another message for it may not), and when it was last sent.
    task_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=20, blank=True)  # "running model", then "scoring"
    predictions = models.FileField(upload_to=_predictions_path, blank=True, max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("competition", "status")),
            models.Index(fields=("team", "created_at")),
            models.Index(fields=("status", "created_at")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_baseline=True) | models.Q(team__isnull=False),
                name="submission_has_team_unless_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.team or self.baseline_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SCORED, self.Status.FAILED)


class AuditEntry(models.Model):
    """Who did what to a competition, and when: the instructors' actions, kept."""

    class Action(models.TextChoices):
        SUBMISSION_EXCLUDED = "submission_excluded", _("Submission excluded")
        SUBMISSION_RESTORED = "submission_restored", _("Submission restored")
        TEAM_DISQUALIFIED = "team_disqualified", _("Team disqualified")
        TEAM_REINSTATED = "team_reinstated", _("Team reinstated")
        RESCORE_STARTED = "rescore_started", _("Rescoring started")
        PRIVATE_RELEASED = "private_released", _("Private leaderboard released")
        PRIVATE_HIDDEN = "private_hidden", _("Private leaderboard hidden")
        PUBLIC_FROZEN = "public_frozen", _("Public leaderboard frozen")
        PUBLIC_UNFROZEN = "public_unfrozen", _("Public leaderboard unfrozen")
        SUBMISSIONS_DOWNLOADED = "submissions_downloaded", _("Submissions downloaded")
        RUBRIC_CHANGED = "rubric_changed", _("Rubric changed")
        GRADES_RELEASED = "grades_released", _("Grades released")
        GRADES_HIDDEN = "grades_hidden", _("Grades hidden")
        GRADE_CHANGED = "grade_changed", _("Released grade changed")
        REGRADE_ANSWERED = "regrade_answered", _("Regrade request answered")
        GRADING_SCHEME_CHANGED = "grading_scheme_changed", _("Course grade settings changed")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class RescoreRun(models.Model):
    """One "rescore everything" request: its progress is how many of its submissions
    finished (again) since it started; ``changed`` counts those whose outcome changed."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="rescore_runs"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    submission_ids = models.JSONField(default=list)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-started_at", "-id")
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"rescore {self.competition} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return len(self.submission_ids)

    @property
    def done(self) -> int:
        """One query: a rescored submission's finished_at is after the run started."""
        return Submission.objects.filter(
            pk__in=self.submission_ids, finished_at__gte=self.started_at
        ).count()

    @property
    def is_finished(self) -> bool:
        return self.done >= self.total
