"""Factories for tests: small functions that make a valid object with overridable fields."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_get_or_create
from competition.models import Competition, Membership, Team

PASSWORD = "a-long-test-password-42"


def make_user(username: str, **extra) -> User:
    extra.setdefault("email", f"{username}@example.edu")
    extra.setdefault("full_name", username.title())
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def make_competition(slug: str = "digitos", **extra) -> Competition:
    now = timezone.now()
    fields = {
        "title": "Dígitos",
        "description": "Reconocé **dígitos**.",
        "is_published": True,
        "start_at": now - timedelta(days=1),
        "team_merger_at": now + timedelta(days=7),
        "end_at": now + timedelta(days=14),
        "team_size_limit": 3,
    }
    fields.update(extra)
    return Competition.objects.create(slug=slug, **fields)


def make_team(competition: Competition, name: str, *members: User) -> Team:
    team = Team.objects.create(competition=competition, name=name)
    for user in members:
        Membership.objects.create(competition=competition, team=team, user=user)
    return team


def web_client(user: User | None, language: str = "en") -> Client:
    """A browser's session; English unless asked, so that tests read the messages."""
    client = Client(headers={"Accept-Language": language})
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: User | None, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_get_or_create(user=user).key}")
    return client


SOLUTION = "id,label,Usage\n" + "".join(
    f"{i},{i % 3},{'Public' if i % 2 else 'Private'}\n" for i in range(1, 21)
)


def predictions(correct: int = 20, *, header: str = "id,label") -> bytes:
    """A submission for SOLUTION with the first ``correct`` rows right, the rest wrong."""
    rows = [f"{i},{i % 3 if i <= correct else (i + 1) % 3}" for i in range(1, 21)]
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def host(competition: Competition, solution: str = SOLUTION, **fields) -> Competition:
    """Gives a competition its hidden solution (and so its sample submission)."""
    from competition import services

    for name, value in fields.items():
        setattr(competition, name, value)
    competition.save()
    services.competition_set_solution(competition=competition, data=solution.encode())
    return competition


def upload(content: bytes, name: str = "preds.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def make_pdf(pages: int = 1, text: str = "Informe final") -> bytes:
    """A real PDF with ``pages`` A4 pages of text, as a report exporter makes."""
    from grader.demo import report_pdf

    return report_pdf(text, ["Modelo, resultados y análisis de errores."], pages=pages)


def encrypt_pdf(data: bytes, password: str = "secreto") -> bytes:  # noqa: S107
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(content: bytes, name: str = "informe.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_scored(competition, team, public, private, *, minutes_ago=60, **extra):
    """A submission already scored (or a baseline, with team None and baseline_name)."""
    from datetime import timedelta

    from competition.models import Submission

    user = team.memberships.first().user if team else make_user(f"u{Submission.objects.count()}")
    return Submission.objects.create(
        competition=competition,
        team=team,
        user=user,
        status=Submission.Status.SCORED,
        public_score=public,
        private_score=private,
        is_baseline=team is None,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        **extra,
    )
