from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from competition import leaderboard, selectors, services, views
from competition.models import Submission
from competition.services import RuleViolation
from config.uploads import CeilingMultiPartParser


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _refused(error: RuleViolation) -> Response:
    return Response({"detail": error.message}, status=error.status)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.get_full_name")
    joined_at = serializers.DateTimeField()


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    invite_code = serializers.CharField()
    members = MemberSerializer(source="memberships.all", many=True)


class CompetitionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    description = serializers.CharField()
    start_at = serializers.DateTimeField()
    team_merger_at = serializers.DateTimeField(source="team_deadline")
    end_at = serializers.DateTimeField()
    team_size_limit = serializers.IntegerField()


class CompetitionListApi(ListAPIView):
    """Competitions this user may see, paginated."""

    permission_classes = (AllowAny,)
    serializer_class = CompetitionSerializer

    def get_queryset(self):
        return selectors.competition_list_for_user(self.request.user)


class CompetitionDetailApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(responses={200: CompetitionSerializer, 404: ErrorSerializer})
    def get(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        return Response(CompetitionSerializer(competition).data)


class TeamMineApi(APIView):
    class TeamCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64)

    @extend_schema(responses={200: TeamSerializer, 404: ErrorSerializer})
    def get(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        team = selectors.team_of_user(competition=competition, user=request.user)
        if team is None:
            return Response(
                {"detail": "You are not in a team in this competition."},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(TeamSerializer(team).data)

    @extend_schema(
        request=TeamCreateInputSerializer,
        responses={201: TeamSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        data = self.TeamCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            team = services.team_create(
                competition=competition, user=request.user, name=data.validated_data["name"]
            )
        except RuleViolation as error:
            return _refused(error)
        team = selectors.team_of_user(competition=competition, user=request.user)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamJoinApi(APIView):
    class TeamJoinInputSerializer(serializers.Serializer):
        invite_code = serializers.CharField(max_length=24)

    @extend_schema(
        request=TeamJoinInputSerializer,
        responses={200: TeamSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        data = self.TeamJoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.team_join(
                competition=competition,
                user=request.user,
                invite_code=data.validated_data["invite_code"],
            )
        except RuleViolation as error:
            return _refused(error)
        team = selectors.team_of_user(competition=competition, user=request.user)
        return Response(TeamSerializer(team).data)


class TeamLeaveApi(APIView):
    @extend_schema(request=None, responses={204: None, 400: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        try:
            services.team_leave(competition=competition, user=request.user)
        except RuleViolation as error:
            return _refused(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Submissions and leaderboards -------------------------------------------------


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    competition = serializers.SlugField(source="competition.slug")
    team = serializers.CharField(source="team.name", allow_null=True)
    user = serializers.CharField(source="user.username")
    description = serializers.CharField()
    original_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Submission.Kind.choices)
    status = serializers.ChoiceField(choices=Submission.Status.choices)
    stage = serializers.CharField(help_text="While running: 'running model', then 'scoring'.")
    error = serializers.CharField()
    public_score = serializers.FloatField(allow_null=True)
    private_score = serializers.SerializerMethodField()
    rows = serializers.IntegerField(allow_null=True)
    is_late = serializers.BooleanField()
    selected = serializers.BooleanField()
    excluded = serializers.BooleanField(help_text="Taken off the leaderboards by the instructors.")
    excluded_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_private_score(self, submission: Submission) -> float | None:
        if selectors.private_visible(submission.competition, self.context["request"].user):
            return submission.private_score
        return None


class SubmissionListCreateApi(ListAPIView):
    """The team's own submissions (GET), or a new one (POST, multipart ``file``)."""

    serializer_class = SubmissionSerializer
    parser_classes = (CeilingMultiPartParser, FormParser)
    throttle_scope = "submit"

    def get_throttles(self):
        # Only creating is throttled (per user): listing is what --wait polls.
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    class SubmissionCreateInputSerializer(serializers.Serializer):
        file = serializers.FileField()
        description = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def get_queryset(self):
        competition = selectors.competition_get_for_user(self.request.user, self.kwargs["slug"])
        team = selectors.team_of_user(competition=competition, user=self.request.user)
        if team is None:
            return Submission.objects.none()
        return selectors.submissions_of_team(team).select_related("competition", "team")

    @extend_schema(
        request={"multipart/form-data": SubmissionCreateInputSerializer},
        responses={
            201: SubmissionSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        data = self.SubmissionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            submission = services.submission_create(
                competition=competition,
                user=request.user,
                upload=data.validated_data["file"],
                description=data.validated_data.get("description", ""),
            )
        except RuleViolation as error:
            return _refused(error)
        body = SubmissionSerializer(submission, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class SubmissionDetailApi(APIView):
    @extend_schema(responses={200: SubmissionSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        submission = selectors.submission_get_for_user(request.user, pk)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


class SubmissionSelectApi(APIView):
    class SubmissionSelectInputSerializer(serializers.Serializer):
        selected = serializers.BooleanField()

    @extend_schema(
        request=SubmissionSelectInputSerializer,
        responses={200: SubmissionSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        submission = selectors.submission_get_for_user(request.user, pk)
        if not selectors.is_member(team_id=submission.team_id, user=request.user):
            return Response(
                {"detail": "Only the team's members select its submissions."}, status=403
            )
        data = self.SubmissionSelectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.submission_select(
                submission=submission, user=request.user, selected=data.validated_data["selected"]
            )
        except RuleViolation as error:
            return _refused(error)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    team = serializers.CharField(source="name")
    members = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField()
    entries = serializers.IntegerField()
    last_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    is_baseline = serializers.BooleanField()
    public_rank = serializers.IntegerField(allow_null=True)
    move = serializers.IntegerField(allow_null=True)


class LeaderboardApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("private", bool, description="The private leaderboard (once released)")
        ],
        responses={200: LeaderboardRowSerializer(many=True), 403: ErrorSerializer},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        private = request.query_params.get("private") in {"1", "true", "yes"}
        if private and not selectors.private_visible(competition, request.user):
            return Response({"detail": "The private leaderboard is not released yet."}, status=403)
        rows = (
            leaderboard.private_leaderboard(competition)
            if private
            else leaderboard.public_leaderboard(competition)
        )
        return Response(LeaderboardRowSerializer(rows, many=True).data)


class CompetitionFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, item) -> str:
        path = reverse("api-competition-file", args=[item.competition.slug, item.pk])
        return self.context["request"].build_absolute_uri(path)


class CompetitionFilesApi(APIView):
    """The public downloads (training data, test features, the sample submission)."""

    permission_classes = (AllowAny,)

    @extend_schema(responses={200: CompetitionFileSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request, slug: str) -> Response:
        competition = selectors.competition_get_for_user(request.user, slug)
        files = competition.files.select_related("competition")
        return Response(
            CompetitionFileSerializer(files, many=True, context={"request": request}).data
        )


class CompetitionFileDownloadApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer})
    def get(self, request: Request, slug: str, pk: int) -> FileResponse:
        competition = selectors.competition_get_for_user(request.user, slug)
        item = get_object_or_404(competition.files, pk=pk)
        return views.attachment(item.file, item.name)


class SubmissionFileApi(APIView):
    """The file the team uploaded."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> FileResponse:
        submission = selectors.submission_get_for_user(request.user, pk)
        name = submission.original_name or f"submission-{submission.pk}.{submission.file_format}"
        return views.attachment(submission.file, name)
