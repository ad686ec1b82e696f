"""Writes: every rule about teams lives here, so that pages, API and CLI share it."""

import csv
import io
import logging
import os
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts import tasks as account_tasks
from accounts.models import User
from competition import queueing
from competition.models import (
    AuditEntry,
    Competition,
    CompetitionFile,
    Membership,
    RescoreRun,
    Submission,
    Team,
    new_invite_code,
)
from competition.scoring_service import competition_solution
from grader import scoring

logger = logging.getLogger("podio.submissions")


class RuleViolation(Exception):
    """A rule refused the action. The message is written for the person who asked.

    ``status`` is the HTTP status the API answers with: 400 for bad input,
    409 when the request is fine but the state forbids it (a deadline, a limit).
    """

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _check_teams_unlocked(competition: Competition) -> None:
    if competition.teams_locked():
        raise RuleViolation(
            _("The team merger deadline has passed: teams can no longer change members.")
        )


def _check_not_in_team(competition: Competition, user: User) -> None:
    team = Team.objects.filter(competition=competition, memberships__user=user).first()
    if team is not None:
        raise RuleViolation(
            _("You are already in team “%(team)s” in this competition.") % {"team": team.name}
        )


def _clean_team_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise RuleViolation(_("The team needs a name."), status=400)
    if len(name) > 64:
        raise RuleViolation(_("A team name has at most 64 characters."), status=400)
    return name


@transaction.atomic
def team_create(*, competition: Competition, user: User, name: str) -> Team:
    """Creates a team with ``user`` as its first member."""
    name = _clean_team_name(name)
    if competition.has_ended():
        raise RuleViolation(_("This competition has ended."))
    _check_not_in_team(competition, user)
    if Team.objects.filter(competition=competition, name__iexact=name).exists():
        raise RuleViolation(_("The name “%(name)s” is taken in this competition.") % {"name": name})
    try:
        with transaction.atomic():
            team = Team.objects.create(competition=competition, name=name, created_by=user)
            Membership.objects.create(competition=competition, team=team, user=user)
    except IntegrityError:
        # A concurrent request won the race for the name or for this user's membership.
        raise RuleViolation(_("The team could not be created; please try again.")) from None
    return team


@transaction.atomic
def team_join(*, competition: Competition, user: User, invite_code: str) -> Team:
    """Adds ``user`` to the team with this invite code, within the size limit."""
    _check_teams_unlocked(competition)
    # The row lock makes concurrent joins of one team wait for each other, so the
    # size limit holds exactly (SQLite serializes writers at BEGIN IMMEDIATE anyway).
    team = (
        Team.objects.select_for_update()
        .filter(competition=competition, invite_code=invite_code.strip())
        .first()
    )
    if team is None:
        raise RuleViolation(_("No team in this competition has that invite code."), status=400)
    _check_not_in_team(competition, user)
    size = team.memberships.count()
    if size >= competition.team_size_limit:
        raise RuleViolation(
            _("Team “%(team)s” is full: the limit is %(limit)d members.")
            % {"team": team.name, "limit": competition.team_size_limit}
        )
    try:
        with transaction.atomic():
            Membership.objects.create(competition=competition, team=team, user=user)
    except IntegrityError:
        raise RuleViolation(_("You are already in a team in this competition.")) from None
    return team


@transaction.atomic
def team_leave(*, competition: Competition, user: User) -> None:
    """Removes ``user`` from their team; an empty team disappears unless it holds work."""
    _check_teams_unlocked(competition)
    membership = (
        Membership.objects.select_for_update()
        .filter(competition=competition, user=user)
        .select_related("team")
        .first()
    )
    if membership is None:
        raise RuleViolation(_("You are not in a team in this competition."), status=400)
    team = membership.team
    membership.delete()
    if not team.memberships.exists():
        try:
            with transaction.atomic():
                team.delete()
        except ProtectedError:
            pass  # Submissions or reports keep the empty team in the records.


def team_regenerate_invite(*, team: Team) -> Team:
    """A new invite code; the old link stops working (for a leaked link)."""
    _check_teams_unlocked(team.competition)
    team.invite_code = new_invite_code()
    team.save(update_fields=["invite_code"])
    return team


@transaction.atomic
def team_for_submitter(*, competition: Competition, user: User) -> Team:
    """The user's team, or a new team of one named after them: a student who submits
    alone is a team of one."""
    team = Team.objects.filter(competition=competition, memberships__user=user).first()
    if team is not None:
        return team
    name, n = user.username, 1
    while Team.objects.filter(competition=competition, name__iexact=name).exists():
        n += 1
        name = f"{user.username} ({n})"
    team = Team.objects.create(competition=competition, name=name, created_by=user)
    Membership.objects.create(competition=competition, team=team, user=user)
    return team


# --- Roster import -----------------------------------------------------------------

HEADER_ALIASES = {
    "email": {"email", "e-mail", "mail", "correo", "correo electrónico", "correo electronico"},
    "full_name": {"full_name", "full name", "name", "nombre", "nombre completo"},
    "team": {"team", "team name", "team_name", "equipo", "nombre del equipo"},
}
MAX_ROSTER_BYTES = 1_000_000


@dataclass
class RosterRow:
    line: int
    email: str
    full_name: str
    team: str
    ok: bool = True
    actions: list[str] = field(default_factory=list)


@dataclass
class RosterReport:
    rows: list[RosterRow]
    invited: list[User] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(row.ok for row in self.rows)

    @property
    def rejected(self) -> int:
        return sum(not row.ok for row in self.rows)


def roster_import(*, competition: Competition, data: bytes) -> RosterReport:
    """Creates accounts, teams and memberships from a CSV (email, full name, team).

    Each row is applied or rejected on its own, with the reason. New accounts get a
    set-your-password e-mail once the import is committed. Running the same file
    twice changes nothing.
    """
    rows = _roster_parse(data)
    report = RosterReport(rows=rows)
    with transaction.atomic():
        seen: dict[str, int] = {}
        for row in rows:
            _roster_apply(competition, row, seen, report)
        # Sent on commit: no worker ever looks for an account that is not there yet.
        for user in report.invited:
            account_tasks.send_password_setup_email.delay_on_commit(user.id, competition.title)
    return report


def _roster_parse(data: bytes) -> list[RosterRow]:
    if len(data) > MAX_ROSTER_BYTES:
        raise RuleViolation(_("The roster file is larger than 1 MB."), status=400)
    text = _decode(data)
    if not text.strip():
        raise RuleViolation(_("The roster file is empty."), status=400)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    columns = _roster_columns(next(reader))
    rows = []
    for values in reader:
        if any(v.strip() for v in values):
            cells = {key: _cell(values, index) for key, index in columns.items()}
            rows.append(
                RosterRow(
                    reader.line_num, cells["email"].lower(), cells["full_name"], cells["team"]
                )
            )
    return rows


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows still save CSV as Windows-1252.
        return data.decode("cp1252", errors="replace")


def _roster_columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        for key, aliases in HEADER_ALIASES.items():
            if name.strip().lower() in aliases and key not in found:
                found[key] = index
    if "email" not in found:
        raise RuleViolation(
            _("The roster needs a header row with the columns: email, full_name, team."),
            status=400,
        )
    found.setdefault("full_name", len(header) + 1)
    found.setdefault("team", len(header) + 1)
    return found


def _roster_reject(row: RosterRow, reason: str) -> None:
    row.ok = False
    row.actions = [reason]


def _roster_apply(competition: Competition, row: RosterRow, seen: dict, report) -> None:
    try:
        validate_email(row.email)
    except ValidationError:
        return _roster_reject(row, _("“%(email)s” is not a valid e-mail address.") % row.__dict__)
    if row.email in seen:
        return _roster_reject(row, _("Duplicate of row %(line)d.") % {"line": seen[row.email]})
    seen[row.email] = row.line
    if len(" ".join(row.team.split())) > 64:
        return _roster_reject(row, _("A team name has at most 64 characters."))
    user = User.objects.filter(email__iexact=row.email).first()
    current = user and Team.objects.filter(competition=competition, memberships__user=user).first()
    team_name = " ".join(row.team.split())
    if current and team_name and current.name.lower() != team_name.lower():
        return _roster_reject(
            row, _("Already in team “%(team)s” in this competition.") % {"team": current.name}
        )
    team = Team.objects.filter(competition=competition, name__iexact=team_name).first()
    joining = team_name and not current and team is not None
    if joining and team.memberships.count() >= competition.team_size_limit:
        return _roster_reject(
            row,
            _("Team “%(team)s” is full: the limit is %(limit)d members.")
            % {"team": team.name, "limit": competition.team_size_limit},
        )
    _roster_write(competition, row, user, team, team_name, report)


def _roster_write(competition, row, user, team, team_name, report) -> None:
    if user is None:
        user = account_services.user_create_invited(email=row.email, full_name=row.full_name)
        report.invited.append(user)
        row.actions.append(_("account created, set-password e-mail sent"))
    elif row.full_name and not user.full_name:
        user.full_name = row.full_name
        user.save(update_fields=["full_name"])
        row.actions.append(_("name filled in"))
    if not team_name:
        row.actions.append(_("no team given"))
        return
    if team is None:
        team = Team.objects.create(competition=competition, name=team_name)
        row.actions.append(_("team “%(team)s” created") % {"team": team_name})
    if Membership.objects.filter(competition=competition, user=user).exists():
        row.actions.append(_("already in team “%(team)s”, nothing to do") % {"team": team.name})
        return
    Membership.objects.create(competition=competition, team=team, user=user)
    row.actions.append(_("added to team “%(team)s”") % {"team": team.name})


# --- Submissions ---------------------------------------------------------------------

UPLOAD_FORMATS = {".csv": "csv", ".csv.gz": "csv.gz", ".zip": "zip", ".keras": "keras"}


def _upload_format(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".h5", ".hdf5")):
        raise RuleViolation(
            _(
                "Legacy .h5 models are not accepted: save your model with "
                "model.save('model.keras') and upload that file."
            ),
            status=400,
        )
    for suffix, file_format in sorted(UPLOAD_FORMATS.items(), key=lambda item: -len(item[0])):
        if lowered.endswith(suffix):
            return file_format
    raise RuleViolation(
        _("Upload a .csv file (or a .csv.gz, or a .zip holding one CSV), or a .keras model."),
        status=400,
    )


def _day_start(competition: Competition, now: datetime) -> datetime:
    zone = zoneinfo.ZoneInfo(competition.limit_timezone)
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def submissions_today(*, competition: Competition, team: Team, now: datetime) -> int:
    """Counts what the daily limit counts: today's submissions that did not fail."""
    return (
        Submission.objects.filter(
            team=team, created_at__gte=_day_start(competition, now), is_baseline=False
        )
        .exclude(status=Submission.Status.FAILED)
        .count()
    )


def _check_can_submit(competition: Competition, user: User, upload: UploadedFile) -> str:
    now = timezone.now()
    file_format = _upload_format(upload.name or "")
    is_model = file_format == "keras"
    if is_model and not competition.accepts_keras:
        raise RuleViolation(_("This competition does not accept Keras models."), status=400)
    if not is_model and not competition.accepts_csv:
        raise RuleViolation(_("This competition does not accept prediction files."), status=400)
    if now < competition.start_at:
        raise RuleViolation(_("This competition has not started yet."))
    if not competition.solution or (is_model and not competition.model_inputs):
        raise RuleViolation(_("This competition is not ready for submissions yet."))
    limit_mb = competition.model_max_mb if is_model else competition.max_upload_mb
    if upload.size > limit_mb * 1024 * 1024:
        raise RuleViolation(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": limit_mb},
            status=413,
        )
    if upload.size == 0:
        raise RuleViolation(_("The file is empty."), status=400)
    return file_format


def submission_create(
    *, competition: Competition, user: User, upload: UploadedFile, description: str = ""
) -> Submission:
    """Stores a prediction file and sends it to be scored once the row is committed.

    Checks the cheap rules here (team, dates, limit, size and type); the file's
    content is checked by the worker. A submission after the end is accepted,
    scored and marked late; it never takes a rank.
    """
    file_format = _check_can_submit(competition, user, upload)
    with transaction.atomic():
        team = team_for_submitter(competition=competition, user=user)
        # Lock the team: concurrent uploads by teammates queue here, so the daily
        # limit holds exactly (SQLite serializes writers at BEGIN IMMEDIATE anyway).
        Team.objects.select_for_update().filter(pk=team.pk).first()
        now = timezone.now()
        used = submissions_today(competition=competition, team=team, now=now)
        if used >= competition.daily_limit:
            raise RuleViolation(
                _(
                    "Your team has used its %(limit)d submissions for today; the limit "
                    "resets at midnight (%(zone)s). Failed submissions do not count."
                )
                % {"limit": competition.daily_limit, "zone": competition.limit_timezone},
                status=409,
            )
        submission = _submission_store(
            competition, user, upload, file_format, description, team=team, now=now
        )
    return submission


def _submission_store(competition, user, upload, file_format, description, *, team, now):
    is_model = file_format == "keras"
    submission = Submission(
        competition=competition,
        team=team,
        user=user,
        kind=Submission.Kind.KERAS if is_model else Submission.Kind.CSV,
        file_format=file_format,
        original_name=os.path.basename(upload.name or "")[:255],
        description=description.strip()[:500],
        is_late=now >= competition.end_at,
        is_baseline=team is None,
        created_at=now,
    )
    submission.file.save("upload", upload, save=False)
    submission.save()
    logger.info(
        "submission %s received from %s (%s, %d bytes)",
        submission.pk, user.username, submission.kind, upload.size,
        extra={
            "event": "submission.received", "submission": submission.pk,
            "competition": competition.slug, "team": team.pk if team else None,
            "kind": submission.kind, "bytes": upload.size,
        },
    )  # fmt: skip
    queueing.send_on_commit(submission)
    return submission


def baseline_create(
    *, competition: Competition, user: User, upload: UploadedFile, name: str
) -> Submission:
    """An instructor's benchmark: on the leaderboard, marked, and never ranked."""
    file_format = _check_can_submit(competition, user, upload)
    with transaction.atomic():
        submission = _submission_store(
            competition, user, upload, file_format, "", team=None, now=timezone.now()
        )
        submission.baseline_name = name.strip()[:100] or _("Baseline")
        submission.save(update_fields=["baseline_name"])
    return submission


@transaction.atomic
def submission_select(*, submission: Submission, user: User, selected: bool) -> Submission:
    """Marks (or unmarks) a submission for the private leaderboard, up to the limit."""
    competition = submission.competition
    if competition.has_ended():
        raise RuleViolation(_("The competition has ended: final selections are closed."))
    if submission.status != Submission.Status.SCORED or submission.is_late:
        raise RuleViolation(_("Only scored submissions can be selected."), status=400)
    Team.objects.select_for_update().filter(pk=submission.team_id).first()
    if selected and not submission.selected:
        chosen = Submission.objects.filter(team=submission.team, selected=True).count()
        if chosen >= competition.final_selections:
            raise RuleViolation(
                _("Your team has already selected %(n)d submissions; unselect one first.")
                % {"n": competition.final_selections}
            )
    submission.selected = selected
    submission.save(update_fields=["selected"])
    return submission


def audit(competition: Competition, actor: User | None, action: str, detail: str = "") -> None:
    AuditEntry.objects.create(competition=competition, actor=actor, action=action, detail=detail)


@transaction.atomic
def competition_release_private(
    *, competition: Competition, released: bool, user: User | None = None
) -> Competition:
    competition.private_released = released
    competition.save(update_fields=["private_released"])
    action = AuditEntry.Action.PRIVATE_RELEASED if released else AuditEntry.Action.PRIVATE_HIDDEN
    audit(competition, user, action)
    return competition


@transaction.atomic
def competition_freeze_public(
    *, competition: Competition, frozen: bool, user: User | None = None
) -> Competition:
    """Freezes the public leaderboard at this moment (Kaggle's last-days freeze): it keeps
    showing what it showed; teams keep submitting and see their own scores."""
    competition.public_frozen_at = timezone.now() if frozen else None
    competition.save(update_fields=["public_frozen_at"])
    action = AuditEntry.Action.PUBLIC_FROZEN if frozen else AuditEntry.Action.PUBLIC_UNFROZEN
    audit(competition, user, action)
    return competition


# --- The instructor's leaderboard tools ------------------------------------------------


@transaction.atomic
def submission_exclude(*, submission: Submission, user: User, reason: str) -> Submission:
    """Takes a submission off every leaderboard; the team sees the reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise RuleViolation(_("Give the team a reason for the exclusion."), status=400)
    submission.excluded = True
    submission.excluded_reason = reason[:500]
    submission.save(update_fields=["excluded", "excluded_reason"])
    audit(
        submission.competition,
        user,
        AuditEntry.Action.SUBMISSION_EXCLUDED,
        f"#{submission.pk} ({submission.team or submission.baseline_name}): {reason}",
    )
    return submission


@transaction.atomic
def submission_restore(*, submission: Submission, user: User) -> Submission:
    submission.excluded = False
    submission.excluded_reason = ""
    submission.save(update_fields=["excluded", "excluded_reason"])
    audit(
        submission.competition,
        user,
        AuditEntry.Action.SUBMISSION_RESTORED,
        f"#{submission.pk} ({submission.team or submission.baseline_name})",
    )
    return submission


@transaction.atomic
def team_disqualify(*, team: Team, user: User, disqualified: bool, reason: str = "") -> Team:
    """A disqualified team keeps its records but leaves every leaderboard and the
    leaderboard part of the course grade."""
    reason = " ".join(reason.split())
    if disqualified and not reason:
        raise RuleViolation(_("Give the team a reason for the disqualification."), status=400)
    team.disqualified = disqualified
    team.disqualified_reason = reason[:500] if disqualified else ""
    team.save(update_fields=["disqualified", "disqualified_reason"])
    action = (
        AuditEntry.Action.TEAM_DISQUALIFIED if disqualified else AuditEntry.Action.TEAM_REINSTATED
    )
    audit(team.competition, user, action, f"{team.name}: {reason}" if reason else team.name)
    return team


def competition_rescore(*, competition: Competition, user: User) -> RescoreRun:
    """Scores every finished submission again (after the solution or the metric changed),
    one Celery task each; the leaderboard updates as they finish. Queued and running
    submissions need nothing: they are scored against the current solution anyway."""
    if not competition.solution:
        raise RuleViolation(_("This competition has no solution yet."))
    with transaction.atomic():
        if RescoreRun.objects.filter(competition=competition).exists():
            last = RescoreRun.objects.filter(competition=competition).latest()
            if not last.is_finished and timezone.now() - last.started_at < RESCORE_STALE:
                raise RuleViolation(
                    _("A rescore is running (%(done)d of %(total)d); wait for it to finish.")
                    % {"done": last.done, "total": last.total}
                )
        ids = list(
            Submission.objects.filter(
                competition=competition,
                status__in=(Submission.Status.SCORED, Submission.Status.FAILED),
            )
            .order_by("id")
            .values_list("id", "kind")
        )
        run = RescoreRun.objects.create(
            competition=competition, started_by=user, submission_ids=[pk for pk, _kind in ids]
        )
        audit(
            competition,
            user,
            AuditEntry.Action.RESCORE_STARTED,
            _("%(n)d submissions") % {"n": len(ids)},
        )
        transaction.on_commit(partial(queueing.send_rescore, run.pk, ids), robust=True)
    return run


RESCORE_STALE = timedelta(hours=2)


def submissions_zip(*, competition: Competition, user: User, final_only: bool):
    """A zip of the submissions (each team's final ones, or all), in a temporary file:
    ``<team>/<id>-<original name>`` plus a manifest.csv."""
    import tempfile
    import zipfile

    from competition import leaderboard

    subs = Submission.objects.filter(competition=competition).select_related("team", "user")
    subs = subs.order_by("team__name", "created_at", "id")
    if final_only:
        subs = subs.filter(pk__in=leaderboard.final_submission_ids(competition))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = io.StringIO()
        writer = csv.writer(manifest)
        writer.writerow(
            ["file", "submission", "team", "user", "created_at", "status", "public_score",
             "private_score", "selected", "excluded", "late"]
        )  # fmt: skip
        for sub in subs:
            owner = _safe_name(sub.team.name if sub.team else f"baseline {sub.baseline_name}")
            suffix = os.path.splitext(sub.file.name)[1]
            original = _safe_name(sub.original_name) or f"submission{suffix}"
            path = f"{owner}/{sub.pk}-{original}"
            with sub.file.open("rb") as stored:
                archive.writestr(path, stored.read())
            writer.writerow(
                [path, sub.pk, sub.team.name if sub.team else sub.baseline_name,
                 sub.user.username, sub.created_at.isoformat(), sub.status,
                 _number(sub.public_score), _number(sub.private_score),
                 int(sub.selected), int(sub.excluded), int(sub.is_late)]
            )  # fmt: skip
        archive.writestr("manifest.csv", manifest.getvalue())
    out.seek(0)
    audit(
        competition,
        user,
        AuditEntry.Action.SUBMISSIONS_DOWNLOADED,
        _("final submissions") if final_only else _("all submissions"),
    )
    return out


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _safe_name(name: str) -> str:
    """A name safe as one path part inside a zip: no folders, no dots first."""
    cleaned = "".join(ch if ch.isalnum() or ch in " -_.()" else "_" for ch in name).strip()
    return cleaned.lstrip(".")[:100]


# --- Hosting: the hidden solution and the public files ---------------------------------


def competition_set_solution(*, competition: Competition, data: bytes) -> scoring.Result:
    """Checks a solution CSV and stores it hidden, with its Public/Private split written
    in (so it never changes), and derives the sample submission from it.

    Returns the sample submission's scores: a first sanity check for the instructor.
    """
    try:
        loaded = scoring.load_solution(
            data,
            competition.metric,
            id_column=competition.id_column,
            target_column=competition.target_column or None,
            public_fraction=competition.public_fraction,
            seed=competition.split_seed,
        )
        sample_scores = scoring.check_solution(loaded)
    except scoring.ScoringError as error:
        raise RuleViolation(str(error), status=400) from None
    stored = data if _has_usage(data) else _with_usage(data, loaded)
    with transaction.atomic():
        competition.target_column = loaded.target_column
        competition.solution.save("solution.csv", ContentFile(stored), save=False)
        competition.save(update_fields=["target_column", "solution"])
        competition_add_file(
            competition=competition,
            kind=CompetitionFile.Kind.SAMPLE,
            name="sample_submission.csv",
            content=scoring.sample_submission(loaded),
        )
    return sample_scores


def _has_usage(data: bytes) -> bool:
    header = scoring.reading.read_header(scoring.reading.read_text(data))
    return scoring.solution.USAGE_COLUMN in header


def _with_usage(data: bytes, loaded: "scoring.Solution") -> bytes:
    text = scoring.reading.read_text(data)
    header = scoring.reading.read_header(text)
    table = pcsv.read_csv(
        io.BytesIO(text),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
    )
    names = np.array(scoring.solution.USAGE_NAMES, dtype=object)[loaded.usage]
    table = table.append_column(scoring.solution.USAGE_COLUMN, pa.array(names, pa.string()))
    out = io.BytesIO()
    pcsv.write_csv(table, out, write_options=pcsv.WriteOptions(quoting_style="needed"))
    return out.getvalue()


def competition_set_model_inputs(*, competition: Competition, data: bytes) -> None:
    """Checks and stores the hidden model inputs (.npz with x and ids): one example per
    solution id, each of the stated input shape."""
    from grader.scoring import keras_model

    spec = keras_model.ModelSpec(input_shape=competition.input_shape)
    try:
        ids = keras_model.read_inputs(io.BytesIO(data), spec)
        solution = competition_solution(competition)
    except scoring.ScoringError as error:
        raise RuleViolation(str(error), status=400) from None
    expected = set(solution.ids.strings().to_pylist())
    given = {str(i) for i in ids.tolist()}
    if given != expected:
        missing, extra = len(expected - given), len(given - expected)
        raise RuleViolation(
            _("Model inputs: ids must be the solution's (%(missing)d missing, %(extra)d extra).")
            % {"missing": missing, "extra": extra},
            status=400,
        )
    competition.model_inputs.save("inputs.npz", ContentFile(data), save=False)
    competition.save(update_fields=["model_inputs"])


def competition_add_file(
    *, competition: Competition, kind: str, name: str, content: bytes
) -> CompetitionFile:
    """Adds (or replaces) a public download."""
    name = os.path.basename(name).strip() or "file"
    CompetitionFile.objects.filter(competition=competition, name=name).delete()
    item = CompetitionFile(competition=competition, kind=kind, name=name, size=len(content))
    item.file.save(name, ContentFile(content), save=False)
    item.save()
    return item


@transaction.atomic
def competition_save(
    *,
    competition: Competition,
    solution: bytes | None,
    files: list[UploadedFile],
    model_inputs: bytes | None = None,
) -> Competition:
    """Saves an instructor's competition. The solution (a new one, or the stored one
    against changed settings) is checked again, and nothing is saved if it fails."""
    competition.save()
    if solution is None and competition.solution:
        with competition.solution.open("rb") as stored:
            solution = stored.read()
    if solution is not None:
        competition_set_solution(competition=competition, data=solution)
    if model_inputs is None and competition.accepts_keras and competition.model_inputs:
        with competition.model_inputs.open("rb") as stored:
            model_inputs = stored.read()
    if model_inputs is not None:
        competition_set_model_inputs(competition=competition, data=model_inputs)
    for upload in files:
        competition_add_file(
            competition=competition,
            kind=_guess_kind(upload.name or ""),
            name=upload.name or "file",
            content=upload.read(),
        )
    return competition


def _guess_kind(name: str) -> str:
    lowered = name.lower()
    if "train" in lowered or "entren" in lowered:
        return CompetitionFile.Kind.TRAIN
    if "test" in lowered or "prueba" in lowered:
        return CompetitionFile.Kind.TEST
    return CompetitionFile.Kind.OTHER
