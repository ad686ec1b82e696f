"""Writes: every rule about teams lives here, so that pages, API and CLI share it."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts import tasks as account_tasks
from accounts.models import User
from competition.models import Competition, Membership, Team, new_invite_code


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
