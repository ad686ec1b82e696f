from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition import selectors, services
from competition.forms import RosterImportForm, TeamCreateForm, TeamJoinForm
from competition.services import RuleViolation


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
    return render(request, "competition/detail.html", {"competition": competition, "team": team})


@login_required
def team_mine(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    team = selectors.team_of_user(competition=competition, user=request.user)
    context = {
        "competition": competition,
        "team": team,
        "create_form": TeamCreateForm(),
        "join_form": TeamJoinForm(),
    }
    return render(request, "competition/team.html", context)


def _run_rule(request: HttpRequest, action, success: str) -> bool:
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
    _run_rule(
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
    _run_rule(
        request,
        lambda: services.team_join(competition=competition, user=request.user, invite_code=code),
        _("You joined the team."),
    )
    return redirect("competition:team", slug=slug)


@login_required
@require_POST
def team_leave(request: HttpRequest, slug: str) -> HttpResponse:
    competition = selectors.competition_get_for_user(request.user, slug)
    _run_rule(
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
    _run_rule(
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
