import io
import tarfile
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services
from competition import leaderboard, selectors, services
from competition.forms import (
    CompetitionForm,
    RosterImportForm,
    SubmissionForm,
    TeamCreateForm,
    TeamJoinForm,
)
from competition.models import CompetitionFile, Submission, Team
from competition.services import RuleViolation
from config import uploads
from grader.scoring.metrics import get_metric


def instructor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_instructor:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def competition_list(request: HttpRequest) -> HttpResponse:
    competitions = selectors.competition_list_for_user(request.user)
    my_teams = selectors.teams_of_user(request.user)
    rows = [(c, my_teams.get(c.id)) for c in competitions]
    return render(request, "competition/list.html", {"rows": rows})


def competition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    token = request.user.is_authenticated and account_services.token_get_or_create(
        user=request.user
    )
    context = {
        "competition": competition,
        "team": team,
        "model": selectors.model_contract(competition),
        "token": token.key if token else "",
        "site": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "competition/detail.html", context)


@login_required
def team_mine(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    context = {
        "competition": competition,
        "team": team,
        "create_form": TeamCreateForm(),
        "join_form": TeamJoinForm(),
        "history": leaderboard.team_history(team) if team else [],
    }
    return render(request, "competition/team.html", context)


def run_rule(request: HttpRequest, action, success: str) -> bool:
    """Runs a service call; a refused rule becomes an error message on the page."""
    try:
        action()
    except RuleViolation as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    form = TeamCreateForm(request.POST)
    name = form.data.get("name", "")
    run_rule(
        request,
        lambda: services.team_create(competition=competition, user=request.user, name=name),
        _("Team created. Share the invite link with your teammates."),
    )
    return redirect("competition:team", slug=slug)


@login_required
def team_join(request: HttpRequest, slug: str, code: str = "") -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    code = code or request.POST.get("invite_code", "")
    if request.method != "POST":
        team = selectors.team_get_by_code(competition=competition, code=code)
        return render(
            request, "competition/team_join.html", {"competition": competition, "team": team}
        )
    run_rule(
        request,
        lambda: services.team_join(competition=competition, user=request.user, invite_code=code),
        _("You joined the team."),
    )
    return redirect("competition:team", slug=slug)


@login_required
@require_POST
def team_leave(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    run_rule(
        request,
        lambda: services.team_leave(competition=competition, user=request.user),
        _("You left the team."),
    )
    return redirect("competition:team", slug=slug)


@login_required
@require_POST
def team_invite_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    if team is None:
        raise PermissionDenied
    run_rule(
        request,
        lambda: services.team_regenerate_invite(team=team),
        _("A new invite link was made; the old one no longer works."),
    )
    return redirect("competition:team", slug=slug)


@instructor_required
def team_list(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    teams = selectors.team_list(competition=competition)
    return render(request, "competition/teams.html", {"competition": competition, "teams": teams})


@instructor_required
def roster_import(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    uploads.refuse_too_large(request, form)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.roster_import(
                competition=competition, data=form.cleaned_data["file"].read()
            )
        except RuleViolation as error:
            form.add_error("file", error.message)
    context = {"competition": competition, "form": form, "report": report}
    return render(request, "competition/roster.html", context)


# --- Data, submissions, leaderboards -----------------------------------------------


def competition_data(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    files = competition.files.all()
    return render(request, "competition/data.html", {"competition": competition, "files": files})


def file_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    item = get_object_or_404(CompetitionFile, competition=competition, pk=pk)
    return attachment(item.file, item.name)


def attachment(field, name: str) -> FileResponse:
    content_type = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    response = FileResponse(
        field.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    instructor = request.user.is_instructor
    form = SubmissionForm(request.POST or None, request.FILES or None, instructor=instructor)
    uploads.refuse_too_large(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            _create_submission(request.user, competition, form.cleaned_data)
        except RuleViolation as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("Received. Scoring starts in a moment."))
            return redirect("competition:submissions", slug=slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    used = team and services.submissions_today(
        competition=competition, team=team, now=timezone.now()
    )
    context = {"competition": competition, "form": form, "team": team, "used": used or 0}
    return render(request, "competition/submit.html", context)


def _create_submission(user, competition, data: dict):
    if user.is_instructor:
        return services.baseline_create(
            competition=competition, user=user, upload=data["file"], name=data["baseline_name"]
        )
    return services.submission_create(
        competition=competition, user=user, upload=data["file"], description=data["description"]
    )


@login_required
def submission_list(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    submissions = selectors.submissions_of_team(team) if team else []
    context = {
        "competition": competition,
        "team": team,
        "submissions": submissions,
        "show_private": selectors.private_visible(competition, request.user),
    }
    return render(request, "competition/submissions.html", context)


@login_required
def submission_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    submission = selectors.submission_get_for_user(request.user, pk)
    name = submission.original_name or f"submission-{submission.pk}.{submission.file_format}"
    return attachment(submission.file, name)


@login_required
def submission_predictions(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The predictions a submitted model produced, as CSV."""
    submission = selectors.submission_get_for_user(request.user, pk)
    if not submission.predictions:
        raise Http404("No predictions")
    return attachment(submission.predictions, f"predictions-{submission.pk}.csv")


@login_required
@require_POST
def submission_select(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    submission = selectors.submission_get_for_user(request.user, pk)
    if not selectors.is_member(team_id=submission.team_id, user=request.user):
        raise PermissionDenied
    selected = request.POST.get("selected") == "1"
    run_rule(
        request,
        lambda: services.submission_select(
            submission=submission, user=request.user, selected=selected
        ),
        _("Selected for the final.") if selected else _("No longer selected."),
    )
    return redirect("competition:submissions", slug=slug)


def leaderboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    private = request.GET.get("private") == "1"
    if private and not selectors.private_visible(competition, request.user):
        raise PermissionDenied
    rows = (
        leaderboard.private_leaderboard(competition)
        if private
        else leaderboard.public_leaderboard(competition)
    )
    my_team = selectors.team_of_user(competition=competition, user=request.user)
    context = {
        "competition": competition,
        "rows": rows,
        "private": private,
        "can_see_private": selectors.private_visible(competition, request.user),
        "my_team_id": my_team.id if my_team else None,
        "metric": get_metric(competition.metric),
        "history": leaderboard.public_history(competition) if not private else None,
    }
    return render(request, "competition/leaderboard.html", context)


@instructor_required
def leaderboard_export(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    private = request.GET.get("private") == "1"
    rows = (
        leaderboard.private_leaderboard(competition)
        if private
        else leaderboard.public_leaderboard(competition)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    which = "private" if private else "public"
    response["Content-Disposition"] = f'attachment; filename="{competition.slug}-{which}.csv"'
    leaderboard.write_csv(response, rows, private=private)
    return response


@instructor_required
@require_POST
def release_private(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    released = request.POST.get("released") == "1"
    services.competition_release_private(
        competition=competition, released=released, user=request.user
    )
    message = _("The private leaderboard is public now.") if released else _("Hidden again.")
    messages.success(request, message)
    return redirect(f"{reverse('competition:leaderboard', args=[slug])}?private=1")


# --- The instructor's leaderboard tools ----------------------------------------------


@instructor_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The instructor's page: freeze, release, rescore, downloads, and the audit list."""
    competition = selectors.competition_get_for_user(request.user, slug)
    context = {
        "competition": competition,
        "run": competition.rescore_runs.first(),
        "audit": competition.audit_entries.select_related("actor")[:200],
        "counts": selectors.submission_counts(competition),
    }
    return render(request, "competition/manage.html", context)


@instructor_required
@require_POST
def freeze_public(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    frozen = request.POST.get("frozen") == "1"
    services.competition_freeze_public(competition=competition, frozen=frozen, user=request.user)
    messages.success(
        request,
        _("The public leaderboard is frozen: it keeps showing what it shows now.")
        if frozen
        else _("The public leaderboard follows every submission again."),
    )
    return redirect("competition:manage", slug=slug)


@instructor_required
@require_POST
def rescore(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    run_rule(
        request,
        lambda: services.competition_rescore(competition=competition, user=request.user),
        _("Rescoring started: the leaderboard updates as each submission finishes."),
    )
    return redirect("competition:manage", slug=slug)


@instructor_required
def rescore_progress(request: HttpRequest, slug: str) -> JsonResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    run = competition.rescore_runs.first()
    if run is None:
        return JsonResponse({"total": 0, "done": 0, "changed": 0, "finished": True})
    data = {"total": run.total, "done": run.done, "changed": run.changed}
    return JsonResponse({**data, "finished": run.is_finished})


@instructor_required
def submissions_zip(request: HttpRequest, slug: str) -> FileResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    final_only = request.GET.get("which", "final") != "all"
    archive = services.submissions_zip(
        competition=competition, user=request.user, final_only=final_only
    )
    name = f"{competition.slug}-{'final' if final_only else 'all'}-submissions.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@instructor_required
def all_submissions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every submission of the competition, newest first, to exclude or restore."""
    competition = selectors.competition_get_for_user(request.user, slug)
    page = Paginator(selectors.submissions_of_competition(competition), 50).get_page(
        request.GET.get("page")
    )
    context = {"competition": competition, "page": page}
    return render(request, "competition/all_submissions.html", context)


@instructor_required
@require_POST
def submission_exclude(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    submission = get_object_or_404(Submission, competition=competition, pk=pk)
    if request.POST.get("excluded") == "1":
        reason = request.POST.get("reason", "")
        run_rule(
            request,
            lambda: services.submission_exclude(
                submission=submission, user=request.user, reason=reason
            ),
            _("Submission #%(id)d excluded from the leaderboards.") % {"id": pk},
        )
    else:
        services.submission_restore(submission=submission, user=request.user)
        messages.success(request, _("Submission #%(id)d restored.") % {"id": pk})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("competition:all-submissions", args=[slug])
    return redirect(back)


@instructor_required
@require_POST
def team_disqualify(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = get_object_or_404(Team, competition=competition, pk=pk)
    disqualified = request.POST.get("disqualified") == "1"
    reason = request.POST.get("reason", "")
    run_rule(
        request,
        lambda: services.team_disqualify(
            team=team, user=request.user, disqualified=disqualified, reason=reason
        ),
        _("Team “%(team)s” disqualified.") % {"team": team.name}
        if disqualified
        else _("Team “%(team)s” reinstated.") % {"team": team.name},
    )
    return redirect("competition:teams", slug=slug)


@instructor_required
def competition_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug) if slug else None
    form = CompetitionForm(request.POST or None, request.FILES or None, instance=competition)
    uploads.refuse_too_large(request, form)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("solution_file")
        inputs = form.cleaned_data.get("model_inputs_file")
        try:
            saved = services.competition_save(
                competition=form.instance,
                solution=upload.read() if upload else None,
                files=form.cleaned_data.get("public_files") or [],
                model_inputs=inputs.read() if inputs else None,
            )
        except RuleViolation as error:
            form.add_error("solution_file", error.message)
        else:
            messages.success(request, _("Competition saved."))
            return redirect("competition:detail", slug=saved.slug)
    context = {"competition": competition, "form": form}
    return render(request, "competition/edit.html", context)


CLIENT_DIR = Path(__file__).resolve().parent.parent / "client"


def client_package(request: HttpRequest) -> HttpResponse:
    """The podio-client source package, so that `pip install <site>/client/podio-client.tar.gz`
    works from Colab or Jupyter without any other index."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(CLIENT_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path):
                archive.add(path, arcname=f"podio-client/{path.relative_to(CLIENT_DIR)}")
    response = HttpResponse(buffer.getvalue(), content_type="application/gzip")
    response["Content-Disposition"] = 'attachment; filename="podio-client.tar.gz"'
    return response


# --- Operations --------------------------------------------------------------------


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database and the broker answer and
    at least one worker replies to a ping; 503 otherwise, with which part failed."""
    from competition import ops

    report = ops.health()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@instructor_required
def queue_page(request: HttpRequest) -> HttpResponse:
    """The queue, for instructors: what waits, what runs, the oldest waiting submission."""
    from competition import ops

    return render(request, "competition/queue.html", {"queue": ops.queue_status()})
