from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from competition import selectors, services
from competition.services import RuleViolation


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
