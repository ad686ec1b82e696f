"""Reads, and the one way to ask "may this user see this?"."""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from competition.models import Competition, Membership, Submission, Team


def competition_list_for_user(user: User) -> QuerySet[Competition]:
    qs = Competition.objects.all()
    if not (user.is_authenticated and user.is_instructor):
        qs = qs.filter(is_published=True)
    return qs


def competition_get_for_user(user: User, slug: str) -> Competition:
    """The competition if this user may see it (published, or an instructor); else 404."""
    try:
        return competition_list_for_user(user).get(slug=slug)
    except Competition.DoesNotExist:
        raise Http404("No such competition") from None


def team_of_user(*, competition: Competition, user: User) -> Team | None:
    if not user.is_authenticated:
        return None
    return (
        Team.objects.filter(competition=competition, memberships__user=user)
        .prefetch_related(_members_prefetch())
        .first()
    )


def teams_of_user(user: User) -> dict[int, Team]:
    """The user's team in every competition, keyed by competition id."""
    if not user.is_authenticated:
        return {}
    teams = Team.objects.filter(memberships__user=user)
    return {team.competition_id: team for team in teams}


def team_list(*, competition: Competition) -> QuerySet[Team]:
    return (
        Team.objects.filter(competition=competition)
        .annotate(size=Count("memberships"))
        .prefetch_related(_members_prefetch())
        .order_by(
            "name",
        )
    )


def team_get_by_code(*, competition: Competition, code: str) -> Team:
    team = (
        Team.objects.filter(competition=competition, invite_code=code)
        .prefetch_related(_members_prefetch())
        .first()
    )
    if team is None:
        raise Http404("No team with this invite code")
    return team


def _members_prefetch() -> Prefetch:
    return Prefetch("memberships", queryset=Membership.objects.select_related("user"))


def submission_get_for_user(user: User, pk: int) -> Submission:
    """A submission its team's members and instructors may see; 404 for anyone else."""
    submission = (
        Submission.objects.select_related("competition", "team", "user").filter(pk=pk).first()
    )
    if submission is None or not user.is_authenticated:
        raise Http404("No such submission")
    if user.is_instructor:
        return submission
    if not is_member(team_id=submission.team_id, user=user):
        raise Http404("No such submission")
    if not submission.competition.is_published:
        raise Http404("No such submission")
    return submission


def submissions_of_team(team: Team) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(team=team).select_related("user").order_by("-created_at", "-id")
    )


def private_visible(competition: Competition, user: User) -> bool:
    """Private scores: instructors always; students once the instructors release them."""
    return competition.private_released or (user.is_authenticated and user.is_instructor)


def is_member(*, team_id: int | None, user: User) -> bool:
    if team_id is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(team_id=team_id, user=user).exists()


def model_contract(competition: Competition) -> dict | None:
    """What a submitted model must accept and return, for the overview page."""
    if not competition.accepts_keras or not competition.solution:
        return None
    from competition.scoring_service import competition_solution
    from grader.scoring import keras_model

    solution = competition_solution(competition)
    spec = keras_model.ModelSpec(
        input_shape=competition.input_shape, output=competition.model_output
    )
    outputs = keras_model.allowed_outputs(solution, spec) if competition.input_shape else []
    return {
        "input_shape": "(None, " + ", ".join(map(str, competition.input_shape)) + ")",
        "outputs": " or ".join(f"(None, {n})" for n in outputs),
        "classes": ", ".join(solution.classes.names) if solution.classes else "",
    }


def submissions_of_competition(competition: Competition) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(competition=competition)
        .select_related("team", "user")
        .order_by("-created_at", "-id")
    )


def submission_counts(competition: Competition) -> dict[str, int]:
    """Submissions by status, for the instructor's page."""
    rows = (
        Submission.objects.filter(competition=competition)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Submission.Status.values, 0)
    counts.update(dict(rows))
    counts["excluded"] = Submission.objects.filter(competition=competition, excluded=True).count()
    return counts
