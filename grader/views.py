"""Pages of the human grading: the team's report, and the instructors' grading."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from competition import selectors as competition_selectors
from competition.models import Competition, Team
from competition.services import RuleViolation
from competition.views import instructor_required, run_rule
from config import uploads
from grader import course_grade, selectors, services
from grader.forms import (
    CriterionFormSet,
    GradeForm,
    RegradeAnswerForm,
    RegradeForm,
    ReportUploadForm,
    RubricImportForm,
    SchemeForm,
)
from grader.models import RegradeRequest, ReportGrade


def _competition(request: HttpRequest, slug: str) -> Competition:
    return competition_selectors.competition_get_for_user(request.user, slug)


# --- The team's side ---------------------------------------------------------------


@login_required
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    uploads.refuse_too_large(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_upload(
                competition=competition, user=request.user, upload=form.cleaned_data["file"]
            )
        except RuleViolation as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request,
                _("Report received: %(pages)d page(s). You may replace it until the deadline.")
                % {"pages": report.pages},
            )
            return redirect("grader:report", slug=slug)
    team = competition_selectors.team_of_user(competition=competition, user=request.user)
    context = {
        "competition": competition,
        "team": team,
        "form": form,
        "reports": selectors.reports_of_team(team) if team else [],
    }
    return render(request, "grader/report.html", context)


@login_required
@xframe_options_sameorigin
def report_pdf(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The PDF, inline, for the browser's own viewer: to the team and instructors only."""
    competition = _competition(request, slug)
    report = selectors.report_get_for_user(request.user, competition, pk)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=request.GET.get("download") == "1",
        filename=f"{competition.slug}-{report.team.name}-{report.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def regrade_request(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    team = competition_selectors.team_of_user(competition=competition, user=request.user)
    if team is None:
        raise PermissionDenied
    form = RegradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the grade should be looked at again."))
        return redirect("competition:team", slug=slug)
    try:
        services.regrade_request(
            team=team,
            user=request.user,
            criterion_id=form.cleaned_data["criterion"],
            reason=form.cleaned_data["reason"],
        )
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Regrade request sent to the instructors."))
    return redirect("competition:team", slug=slug)


# --- The instructors' side -----------------------------------------------------------


@instructor_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    rows = selectors.grading_rows(competition)
    with_report = [row for row in rows if row.report is not None]
    criteria, grades = course_grade.course_grades(competition)
    scheme = services.scheme_of(competition)
    context = {
        "competition": competition,
        "rows": rows,
        "graded": sum(1 for row in with_report if row.status == "graded"),
        "to_grade": len(with_report),
        "scheme": scheme,
        "scheme_form": SchemeForm(instance=scheme),
        "criteria": criteria,
        "rubric_max": sum((c.max_points for c in criteria), Decimal(0)),
        "grades": grades,
        "regrades": selectors.open_regrades(competition),
        "first_pending": next((row.team for row in with_report if row.status != "graded"), None),
    }
    return render(request, "grader/overview.html", context)


@instructor_required
def rubric_edit(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    initial = [
        {"id": c.id, "title": c.title, "description": c.description, "max_points": c.max_points}
        for c in competition.criteria.all()
    ]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    import_form = RubricImportForm(
        request.POST if "source" in request.POST else None, competition=competition
    )
    if request.method == "POST" and "source" in request.POST:
        if import_form.is_valid():
            source = import_form.cleaned_data["source"]
            if run_rule(request, lambda: services.rubric_import(
                competition=competition, source=source, user=request.user
            ), _("Rubric imported from “%(title)s”.") % {"title": source.title}):  # fmt: skip
                return redirect("grader:rubric", slug=slug)
    elif request.method == "POST" and formset.is_valid():
        criteria = [
            services.CriterionInput(
                title=form.cleaned_data["title"],
                description=form.cleaned_data.get("description", ""),
                max_points=form.cleaned_data["max_points"],
                id=form.cleaned_data.get("id"),
            )
            for form in formset.forms
            if form.cleaned_data.get("title") and not form.cleaned_data.get("DELETE")
        ]
        if run_rule(
            request,
            lambda: services.rubric_save(
                competition=competition, user=request.user, criteria=criteria
            ),
            _("Rubric saved."),
        ):
            return redirect("grader:rubric", slug=slug)
    context = {"competition": competition, "formset": formset, "import_form": import_form}
    return render(request, "grader/rubric.html", context)


@instructor_required
@require_POST
def scheme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    form = SchemeForm(request.POST, instance=services.scheme_of(competition))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("grader:overview", slug=slug)
    run_rule(
        request,
        lambda: services.scheme_save(
            competition=competition,
            user=request.user,
            leaderboard_weight=form.cleaned_data["leaderboard_weight"],
            report_weight=form.cleaned_data["report_weight"],
            mode=form.cleaned_data["mode"],
        ),
        _("Course grade settings saved."),
    )
    return redirect("grader:overview", slug=slug)


@instructor_required
@require_POST
def release(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    released = request.POST.get("released") == "1"
    services.grades_release(competition=competition, user=request.user, released=released)
    messages.success(
        request,
        _("Grades released: teams see their points and comments.")
        if released
        else _("Grades hidden from the teams again."),
    )
    return redirect("grader:overview", slug=slug)


@instructor_required
def export(request: HttpRequest, slug: str) -> HttpResponse:
    competition = _competition(request, slug)
    per = "team" if request.GET.get("per") == "team" else "student"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{competition.slug}-grades-by-{per}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    course_grade.write_csv(response, competition, per=per)
    return response


@instructor_required
def grade_team(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    competition = _competition(request, slug)
    team = get_object_or_404(Team, competition=competition, pk=team_id)
    criteria = selectors.rubric(competition)
    grade = ReportGrade.objects.filter(team=team).prefetch_related("scores").first()
    initial = {"comment": grade.comment if grade else ""}
    if grade:
        for score in grade.scores.all():
            initial[f"points_{score.criterion_id}"] = score.points
            initial[f"comment_{score.criterion_id}"] = score.comment
    form = GradeForm(request.POST or None, initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        complete = request.POST.get("action") == "complete"
        scores = {
            c.id: services.ScoreInput(
                form.cleaned_data.get(f"points_{c.id}"),
                form.cleaned_data.get(f"comment_{c.id}", ""),
            )
            for c in criteria
        }
        try:
            services.grade_save(
                team=team,
                user=request.user,
                scores=scores,
                comment=form.cleaned_data["comment"],
                complete=complete,
            )
        except RuleViolation as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(team)s: graded.") % {"team": team.name}
                if complete
                else _("%(team)s: draft saved.") % {"team": team.name},
            )
            rows = selectors.grading_rows(competition)
            _prev, nxt = selectors.neighbours(rows, team)
            if complete and nxt is not None and request.POST.get("then") == "next":
                return redirect("grader:grade", slug=slug, team_id=nxt.id)
            return redirect("grader:grade", slug=slug, team_id=team.id)
    rows = selectors.grading_rows(competition)
    prev, nxt = selectors.neighbours(rows, team)
    with_report = [row for row in rows if row.report is not None]
    context = {
        "competition": competition,
        "team": team,
        "form": form,
        "grade": grade,
        "reports": selectors.reports_of_team(team),
        "previous": prev,
        "next": nxt,
        "graded": sum(1 for row in with_report if row.status == "graded"),
        "to_grade": len(with_report),
        "regrades": RegradeRequest.objects.filter(grade__team=team).select_related(
            "criterion", "requested_by", "answered_by"
        ),
        "answer_form": RegradeAnswerForm(),
        "released": services.scheme_of(competition).released,
    }
    return render(request, "grader/grade.html", context)


@instructor_required
@require_POST
def regrade_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    competition = _competition(request, slug)
    regrade = get_object_or_404(
        RegradeRequest.objects.select_related("grade"),
        Q(grade__competition=competition),
        pk=pk,
    )
    form = RegradeAnswerForm(request.POST)
    if form.is_valid():
        points = form.cleaned_data.get("points")
        run_rule(
            request,
            lambda: services.regrade_answer(
                request=regrade,
                user=request.user,
                answer=form.cleaned_data["answer"],
                points=None if points is None else str(points),
            ),
            _("Answer sent to the team."),
        )
    else:
        messages.error(request, _("Write an answer for the team."))
    return redirect("grader:grade", slug=slug, team_id=regrade.grade.team_id)
