"""Writes of the human grading: report uploads, the rubric, grades, release, regrades.

Every rule lives here, so that the pages, the API and the CLI share it.
"""

import io
import logging
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from accounts.models import User
from competition.models import AuditEntry, Competition, Team
from competition.services import RuleViolation, audit, team_for_submitter
from grader.models import (
    Criterion,
    CriterionScore,
    GradingScheme,
    RegradeRequest,
    Report,
    ReportGrade,
)

logger = logging.getLogger("podio.grader")


# --- Reports -----------------------------------------------------------------------


def pdf_pages(data: bytes) -> int:
    """The page count of a PDF a student uploaded; RuleViolation with a message they can
    act on when it is not a readable, unencrypted PDF."""
    if not data.strip():
        raise RuleViolation(_("The file is empty."), status=400)
    not_pdf = _(
        "This file is not a PDF. Export your report as PDF (File → Save as / Export → PDF) "
        "and upload that file."
    )
    if b"%PDF-" not in data[:1024]:
        raise RuleViolation(not_pdf, status=400)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise RuleViolation(
                _(
                    "Your PDF is protected with a password or restrictions. Export it again "
                    "without protection so that the instructors can open it."
                ),
                status=400,
            )
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading each page finds a broken one now
    except RuleViolation:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        logger.info("unreadable PDF: %s", error)
        raise RuleViolation(
            _(
                "Your PDF could not be read: it looks damaged or incomplete (was the upload "
                "or the export cut short?). Export it again and upload the new file."
            ),
            status=400,
        ) from None
    if pages == 0:
        raise RuleViolation(_("Your PDF has no pages."), status=400)
    return pages


def _check_report(competition: Competition, upload: UploadedFile) -> bytes:
    if not competition.reports_open():
        raise RuleViolation(
            _("The report deadline has passed (%(when)s).")
            % {"when": timezone.localtime(competition.report_due).strftime("%Y-%m-%d %H:%M")}
        )
    limit = competition.report_max_mb * 1024 * 1024
    if upload.size > limit:
        raise RuleViolation(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": competition.report_max_mb},
            status=413,
        )
    upload.seek(0)
    return upload.read()


def report_upload(*, competition: Competition, user: User, upload: UploadedFile) -> Report:
    """Stores a new version of the team's report after every check; nothing on refusal."""
    data = _check_report(competition, upload)
    pages = pdf_pages(data)
    if pages > competition.report_max_pages:
        raise RuleViolation(
            _("Your report has %(pages)d pages; the limit is %(limit)d.")
            % {"pages": pages, "limit": competition.report_max_pages},
            status=400,
        )
    with transaction.atomic():
        team = team_for_submitter(competition=competition, user=user)
        report = Report(
            competition=competition,
            team=team,
            uploaded_by=user,
            original_name=os.path.basename(upload.name or "")[:255] or "report.pdf",
            size=len(data),
            pages=pages,
        )
        upload.seek(0)
        report.file.save("report.pdf", upload, save=False)
        report.save()
    return report


def latest_report(team: Team) -> Report | None:
    return Report.objects.filter(team=team).select_related("uploaded_by").first()


# --- The rubric --------------------------------------------------------------------


@dataclass
class CriterionInput:
    title: str
    description: str
    max_points: Decimal
    id: int | None = None


def _points(value, *, field: str) -> Decimal:
    try:
        points = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise RuleViolation(
            _("“%(value)s” is not a number (%(field)s).") % {"value": value, "field": field},
            status=400,
        ) from None
    if not points.is_finite() or points < 0 or points >= 10_000:
        raise RuleViolation(
            _("Points must be between 0 and 9999 (%(field)s).") % {"field": field}, status=400
        )
    return points.quantize(Decimal("0.01"))


@transaction.atomic
def rubric_save(
    *, competition: Competition, user: User, criteria: list[CriterionInput]
) -> list[Criterion]:
    """Replaces the rubric: keeps criteria by id (their grades stay), adds new ones,
    deletes the ones left out (with their points)."""
    locked = Criterion.objects.select_for_update().filter(competition=competition)
    existing = {c.id: c for c in locked}
    kept: list[Criterion] = []
    for position, item in enumerate(criteria):
        title = " ".join(item.title.split())[:200]
        if not title:
            raise RuleViolation(_("Every criterion needs a title."), status=400)
        criterion = existing.pop(item.id, None) if item.id else None
        criterion = criterion or Criterion(competition=competition)
        criterion.title = title
        criterion.description = item.description.strip()
        criterion.max_points = _points(item.max_points, field=title)
        criterion.position = position
        criterion.save()
        kept.append(criterion)
    for criterion in existing.values():
        criterion.delete()
    audit(
        competition,
        user,
        AuditEntry.Action.RUBRIC_CHANGED,
        "; ".join(f"{c.title} ({c.max_points})" for c in kept),
    )
    return kept


@transaction.atomic
def rubric_import(*, competition: Competition, source: Competition, user: User) -> list[Criterion]:
    """Copies another competition's rubric after this one's criteria."""
    if source.pk == competition.pk:
        raise RuleViolation(_("Choose another competition to import from."), status=400)
    current = [
        CriterionInput(c.title, c.description, c.max_points, c.id)
        for c in competition.criteria.all()
    ]
    copied = [CriterionInput(c.title, c.description, c.max_points) for c in source.criteria.all()]
    if not copied:
        raise RuleViolation(_("That competition has no rubric."), status=400)
    return rubric_save(competition=competition, user=user, criteria=current + copied)


# --- Grades ------------------------------------------------------------------------


def scheme_of(competition: Competition) -> GradingScheme:
    scheme, _created = GradingScheme.objects.get_or_create(competition=competition)
    return scheme


@dataclass
class ScoreInput:
    points: str | Decimal | None
    comment: str = ""


def _grade_for(team: Team) -> ReportGrade:
    grade, _created = ReportGrade.objects.get_or_create(
        team=team, defaults={"competition": team.competition}
    )
    return ReportGrade.objects.select_for_update().get(pk=grade.pk)


@transaction.atomic
def grade_save(
    *,
    team: Team,
    user: User,
    scores: dict[int, ScoreInput],
    comment: str,
    complete: bool,
    reason: str = "",
) -> ReportGrade:
    """Saves the points and comments of one team's report (a draft unless ``complete``).

    A complete grade needs points for every criterion. Once grades are released, any
    change of points is recorded in the audit list with the old and new values.
    """
    competition = team.competition
    criteria = {c.id: c for c in competition.criteria.all()}
    grade = _grade_for(team)
    old = {s.criterion_id: s for s in grade.scores.all()}
    released = scheme_of(competition).released
    changes = []
    for criterion_id, criterion in criteria.items():
        given = scores.get(criterion_id, ScoreInput(None))
        raw = given.points
        points = None
        if raw is not None and str(raw).strip() != "":
            points = _points(raw, field=criterion.title)
            if points > criterion.max_points:
                raise RuleViolation(
                    _("%(criterion)s: at most %(max)s points, not %(points)s.")
                    % {"criterion": criterion.title, "max": criterion.max_points, "points": points},
                    status=400,
                )
        if complete and points is None:
            raise RuleViolation(
                _("Give points for “%(criterion)s” before marking the report graded.")
                % {"criterion": criterion.title},
                status=400,
            )
        score = old.get(criterion_id) or CriterionScore(grade=grade, criterion=criterion)
        if released and score.points != points:
            changes.append(f"{criterion.title}: {score.points} → {points}")
        score.points = points
        score.comment = given.comment.strip()
        score.save()
    grade.comment = comment.strip()
    grade.is_complete = complete
    grade.graded_by = user
    grade.save()
    if changes:
        detail = f"{team.name}: " + "; ".join(changes)
        if reason:
            detail += f" ({reason})"
        audit(competition, user, AuditEntry.Action.GRADE_CHANGED, detail)
    return grade


@transaction.atomic
def grades_release(*, competition: Competition, user: User, released: bool) -> GradingScheme:
    scheme = GradingScheme.objects.select_for_update().get(pk=scheme_of(competition).pk)
    if released:
        drafts = ReportGrade.objects.filter(competition=competition, is_complete=False).count()
        scheme.released_at = timezone.now()
        detail = _("%(n)d draft grades stay hidden") % {"n": drafts} if drafts else ""
    else:
        detail = ""
    scheme.released = released
    scheme.save()
    action = AuditEntry.Action.GRADES_RELEASED if released else AuditEntry.Action.GRADES_HIDDEN
    audit(competition, user, action, detail)
    return scheme


@transaction.atomic
def scheme_save(
    *,
    competition: Competition,
    user: User,
    leaderboard_weight,
    report_weight,
    mode: str,
) -> GradingScheme:
    scheme = GradingScheme.objects.select_for_update().get(pk=scheme_of(competition).pk)
    if mode not in GradingScheme.Mode.values:
        raise RuleViolation(_("Unknown way to turn the leaderboard into points."), status=400)
    scheme.leaderboard_weight = _points(leaderboard_weight, field=_("leaderboard weight"))
    scheme.report_weight = _points(report_weight, field=_("report weight"))
    scheme.mode = mode
    scheme.save()
    audit(
        competition,
        user,
        AuditEntry.Action.GRADING_SCHEME_CHANGED,
        f"leaderboard {scheme.leaderboard_weight} ({scheme.mode}), report {scheme.report_weight}",
    )
    return scheme


def released_grade(team: Team) -> ReportGrade | None:
    """The team's grade if students may see it: released, and marked graded."""
    if not scheme_of(team.competition).released:
        return None
    return ReportGrade.objects.filter(team=team, is_complete=True).first()


# --- Regrade requests ----------------------------------------------------------------


def regrade_request(*, team: Team, user: User, criterion_id: int, reason: str) -> RegradeRequest:
    grade = released_grade(team)
    if grade is None:
        raise RuleViolation(_("Grades are not released yet."))
    criterion = team.competition.criteria.filter(pk=criterion_id).first()
    if criterion is None:
        raise RuleViolation(_("No such criterion."), status=400)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(_("Say why the grade should be looked at again."), status=400)
    try:
        with transaction.atomic():
            return RegradeRequest.objects.create(
                grade=grade, criterion=criterion, requested_by=user, reason=reason[:5000]
            )
    except IntegrityError:
        raise RuleViolation(
            _("Your team already asked for a regrade of “%(criterion)s”.")
            % {"criterion": criterion.title}
        ) from None


@transaction.atomic
def regrade_answer(
    *, request: RegradeRequest, user: User, answer: str, points: str | None = None
) -> RegradeRequest:
    """Answers a regrade request; new points (when given) change the grade, recorded."""
    answer = answer.strip()
    if not answer:
        raise RuleViolation(_("Write an answer for the team."), status=400)
    request = (
        RegradeRequest.objects.select_for_update()
        .select_related("grade__team__competition", "criterion")
        .get(pk=request.pk)
    )
    grade = request.grade
    if points is not None and str(points).strip() != "":
        scores = {s.criterion_id: ScoreInput(s.points, s.comment) for s in grade.scores.all()}
        current = scores.get(request.criterion_id, ScoreInput(None))
        scores[request.criterion_id] = ScoreInput(points, current.comment)
        grade_save(
            team=grade.team,
            user=user,
            scores=scores,
            comment=grade.comment,
            complete=grade.is_complete,
            reason=_("regrade request"),
        )
    request.answer = answer
    request.answered_by = user
    request.answered_at = timezone.now()
    request.save()
    audit(
        grade.competition,
        user,
        AuditEntry.Action.REGRADE_ANSWERED,
        f"{grade.team.name} · {request.criterion.title}",
    )
    return request
