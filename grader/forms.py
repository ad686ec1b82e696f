from django import forms
from django.utils.translation import gettext_lazy as _

from grader.models import Criterion, GradingScheme


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Report (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class CriterionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    max_points = forms.DecimalField(
        label=_("Maximum points"), min_value=0, max_digits=6, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("title") and data.get("max_points") is None:
            self.add_error("max_points", _("Give the criterion its maximum points."))
        return data


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)


class RubricImportForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Import the rubric of"), queryset=None)

    def __init__(self, *args, competition, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = Criterion.objects.exclude(competition=competition).values("competition_id")
        self.fields["source"].queryset = competition.__class__.objects.filter(pk__in=ids)


class SchemeForm(forms.ModelForm):
    class Meta:
        model = GradingScheme
        fields = ("leaderboard_weight", "report_weight", "mode")
        widgets = {"mode": forms.RadioSelect}


class GradeForm(forms.Form):
    """Points and a comment per criterion, and an overall comment."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"points_{criterion.id}"] = forms.DecimalField(
                label=criterion.title,
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.25", "min": 0}),
            )
            self.fields[f"comment_{criterion.id}"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        for criterion in self.criteria:
            yield criterion, self[f"points_{criterion.id}"], self[f"comment_{criterion.id}"]


class RegradeForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why should this be looked at again?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RegradeAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    points = forms.DecimalField(
        label=_("New points (empty: unchanged)"), required=False, min_value=0, decimal_places=2
    )
