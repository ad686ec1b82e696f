"""The grading's REST API: the team's report and grade; the instructors' grades."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from competition import selectors as competition_selectors
from competition.api import ErrorSerializer, _refused
from competition.services import RuleViolation
from config.uploads import CeilingMultiPartParser
from grader import course_grade, selectors, services
from grader.models import Report


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.CharField(source="team.name")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    original_name = serializers.CharField()
    pages = serializers.IntegerField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class CriterionGradeSerializer(serializers.Serializer):
    criterion_id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    comment = serializers.CharField()


class GradeSerializer(serializers.Serializer):
    criteria = CriterionGradeSerializer(many=True)
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=8, decimal_places=2)
    comment = serializers.CharField()


class ReportStatusSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField()
    open = serializers.BooleanField()
    max_pages = serializers.IntegerField()
    max_mb = serializers.IntegerField()
    latest = ReportSerializer(allow_null=True)
    versions = ReportSerializer(many=True)
    grade = GradeSerializer(allow_null=True, help_text="Only once the instructors release it.")


def grade_data(team) -> dict | None:
    grade = services.released_grade(team) if team else None
    if grade is None:
        return None
    scores = {s.criterion_id: s for s in grade.scores.all()}
    criteria = []
    for criterion in selectors.rubric(team.competition):
        score = scores.get(criterion.id)
        criteria.append(
            {
                "criterion_id": criterion.id,
                "title": criterion.title,
                "description": criterion.description,
                "max_points": criterion.max_points,
                "points": score.points if score else None,
                "comment": score.comment if score else "",
            }
        )
    return {
        "criteria": criteria,
        "total": sum(c["points"] or 0 for c in criteria),
        "maximum": sum(c["max_points"] for c in criteria),
        "comment": grade.comment,
    }


class ReportApi(APIView):
    """The team's report: its versions and, once released, its grade (GET); a new
    version (POST, multipart ``file``, a PDF within the page and size limits)."""

    parser_classes = (CeilingMultiPartParser, FormParser)

    class ReportUploadSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The report as PDF.")

    @extend_schema(responses={200: ReportStatusSerializer, 404: ErrorSerializer})
    def get(self, request: Request, slug: str) -> Response:
        competition = competition_selectors.competition_get_for_user(request.user, slug)
        team = competition_selectors.team_of_user(competition=competition, user=request.user)
        versions = selectors.reports_of_team(team) if team else []
        body = {
            "deadline": competition.report_due,
            "open": competition.reports_open(),
            "max_pages": competition.report_max_pages,
            "max_mb": competition.report_max_mb,
            "latest": versions[0] if versions else None,
            "versions": versions,
            "grade": grade_data(team),
        }
        return Response(ReportStatusSerializer(body).data)

    @extend_schema(
        request={"multipart/form-data": ReportUploadSerializer},
        responses={
            201: ReportSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        competition = competition_selectors.competition_get_for_user(request.user, slug)
        data = self.ReportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.report_upload(
                competition=competition, user=request.user, upload=data.validated_data["file"]
            )
        except RuleViolation as error:
            return _refused(error)
        report = Report.objects.select_related("team", "uploaded_by").get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class GradeMineApi(APIView):
    """The team's report grade, once the instructors release the grades."""

    @extend_schema(responses={200: GradeSerializer, 404: ErrorSerializer})
    def get(self, request: Request, slug: str) -> Response:
        competition = competition_selectors.competition_get_for_user(request.user, slug)
        team = competition_selectors.team_of_user(competition=competition, user=request.user)
        data = grade_data(team)
        if data is None:
            return Response({"detail": "No released grade for your team yet."}, status=404)
        return Response(GradeSerializer(data).data)


class TeamCourseGradeSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.name")
    members = serializers.SerializerMethodField()
    disqualified = serializers.BooleanField(source="team.disqualified")
    private_score = serializers.FloatField(allow_null=True)
    private_rank = serializers.IntegerField(allow_null=True)
    leaderboard_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    criterion_points = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True),
        help_text="Criterion id → points.",
    )
    report_status = serializers.ChoiceField(choices=["graded", "draft", "missing"])
    report_total = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    report_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    final = serializers.DecimalField(max_digits=8, decimal_places=2)

    def get_members(self, item) -> list[str]:
        return [m.user.email for m in item.team.memberships.all()]


class GradesApi(APIView):
    """Instructors: every team's course grade as the grading scheme makes it."""

    @extend_schema(
        responses={200: TeamCourseGradeSerializer(many=True), 403: ErrorSerializer},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = competition_selectors.competition_get_for_user(request.user, slug)
        if not request.user.is_instructor:
            return Response({"detail": "Only instructors see every grade."}, status=403)
        _criteria, grades = course_grade.course_grades(competition)
        return Response(TeamCourseGradeSerializer(grades, many=True).data)


class GradesExportApi(APIView):
    """Instructors: the course grade as CSV, one row per student (or per team)."""

    @extend_schema(
        parameters=[OpenApiParameter("per", str, enum=["student", "team"])],
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: ErrorSerializer},
    )
    def get(self, request: Request, slug: str):
        competition = competition_selectors.competition_get_for_user(request.user, slug)
        if not request.user.is_instructor:
            return Response({"detail": "Only instructors export grades."}, status=403)
        per = "team" if request.query_params.get("per") == "team" else "student"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{competition.slug}-grades-by-{per}.csv"'
        )
        course_grade.write_csv(response, competition, per=per)
        return response
