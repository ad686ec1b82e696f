import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from competition.models import Competition
from grader.scoring.metrics import METRICS, get_metric


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, as Django's documentation shows."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=64)


class TeamJoinForm(forms.Form):
    invite_code = forms.CharField(label=_("Invite code"), max_length=24)


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (CSV)"),
        help_text=_("Columns: email, full_name, team. Comma or semicolon separated, UTF-8."),
    )


class SubmissionForm(forms.Form):
    file = forms.FileField(
        label=_("Predictions"),
        help_text=_(
            "A .csv file with the sample submission's columns (or .csv.gz, or .zip); "
            "or a .keras model where the competition accepts models."
        ),
    )
    description = forms.CharField(label=_("Description (optional)"), max_length=500, required=False)
    baseline_name = forms.CharField(
        label=_("Baseline name"),
        max_length=100,
        required=False,
        help_text=_("Instructors: the file becomes a baseline row, shown but never ranked."),
    )

    def __init__(self, *args, instructor: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not instructor:
            del self.fields["baseline_name"]


LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _metric_choices() -> list[tuple[str, str]]:
    return [(metric.name, metric.label) for metric in METRICS.values()]


class CompetitionForm(forms.ModelForm):
    """An instructor's competition: its rules, its hidden solution and public files."""

    metric = forms.ChoiceField(label=_("Metric"), choices=_metric_choices)
    solution_file = forms.FileField(
        label=_("Hidden solution (CSV)"),
        required=False,
        help_text=_(
            "The id column, the target column and optionally Usage (Public, Private or "
            "Ignored). Without Usage, Podio splits with the public fraction and seed below "
            "and keeps that split for good. Students never see this file."
        ),
    )
    public_files = MultipleFileField(
        label=_("Public files (training data, test features…)"), required=False
    )
    model_inputs_file = forms.FileField(
        label=_("Hidden model inputs (.npz)"),
        required=False,
        help_text=_(
            "For Keras model submissions: arrays x (the inputs) and ids (the solution's ids)."
        ),
    )

    class Meta:
        model = Competition
        fields = (
            "title", "slug", "description", "is_published", "task_type", "metric",
            "id_column", "target_column", "public_fraction", "split_seed", "start_at",
            "team_merger_at", "end_at", "daily_limit", "limit_timezone", "team_size_limit",
            "final_selections", "max_upload_mb", "accepts_csv", "accepts_keras",
            "model_input_shape", "model_input_dtype", "model_output", "model_max_params",
            "model_max_mb", "model_time_limit", "report_deadline", "report_max_pages",
            "report_max_mb",
        )  # fmt: skip
        widgets = {
            "start_at": LOCAL_DATETIME,
            "team_merger_at": LOCAL_DATETIME,
            "end_at": LOCAL_DATETIME,
            "report_deadline": LOCAL_DATETIME,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def clean(self) -> dict:
        data = super().clean()
        metric, task_type = data.get("metric"), data.get("task_type")
        if metric and task_type and task_type not in get_metric(metric).task_types:
            self.add_error("metric", _("This metric does not fit the task type."))
        if not self.instance.solution and not data.get("solution_file"):
            self.add_error("solution_file", _("Upload the hidden solution."))
        if data.get("accepts_keras"):
            self._clean_model(data)
        if data.get("report_max_pages") == 0:
            self.add_error("report_max_pages", _("At least one page."))
        for name in ("max_upload_mb", "model_max_mb", "report_max_mb"):
            if (data.get(name) or 0) > settings.PODIO_MAX_UPLOAD_MB:
                self.add_error(
                    name,
                    _("At most %(limit)d MB, the largest upload Podio accepts.")
                    % {"limit": settings.PODIO_MAX_UPLOAD_MB},
                )
        fraction = data.get("public_fraction")
        if fraction is not None and not 0 <= fraction <= 1:
            self.add_error("public_fraction", _("A fraction between 0 and 1."))
        try:
            zoneinfo.ZoneInfo(data.get("limit_timezone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.add_error("limit_timezone", _("Unknown time zone (e.g. UTC, America/Montevideo)."))
        return data

    def _clean_model(self, data: dict) -> None:
        shape = data.get("model_input_shape") or ""
        parts = shape.replace("(", "").replace(")", "").split(",")
        if not all(part.strip().isdigit() for part in parts if part.strip()) or not shape:
            self.add_error("model_input_shape", _("Write the shape of one input, e.g. 8,8,1."))
        if not self.instance.model_inputs and not data.get("model_inputs_file"):
            self.add_error("model_inputs_file", _("Upload the hidden model inputs."))
        metric, output = data.get("metric"), data.get("model_output")
        if metric and output:
            form = get_metric(metric).prediction_form
            fits = {"argmax": {"label"}, "value": {"value"}}.get(
                output, {"probability", "class_probabilities"}
            )
            if form not in fits:
                self.add_error("model_output", _("This output does not fit the metric."))
