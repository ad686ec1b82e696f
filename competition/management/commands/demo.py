"""Loads a demo course: an instructor, students in teams, and a competition.

Safe to run again: it finds what exists and leaves it as it is.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import make_instructor
from competition.models import Competition, Membership, Team

PASSWORD = "podio-demo"  # noqa: S105 - the demo's published password
INSTRUCTOR = ("ines", "Inés Fernández")
STUDENTS = [
    ("alice", "Alice Martínez", "Los Perceptrones"),
    ("bob", "Bob Rodríguez", "Los Perceptrones"),
    ("charlie", "Charlie Gómez", "Gradiente Descendente"),
    ("diana", "Diana López", None),
]
DESCRIPTION = """\
Reconoce dígitos escritos a mano: imágenes de 8×8 píxeles de los dígitos 0 a 9
(el conjunto *digits* que trae scikit-learn).

**Recognize hand-written digits**: 8×8 pixel images of the digits 0 to 9.

- Métrica / metric: *accuracy*.
- Equipos de hasta 3 personas / teams of up to 3.
- Informe final: máximo 1 carilla / final report: one page at most.
"""


class Command(BaseCommand):
    help = "Loads the demo course (idempotent) and prints the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        now = timezone.now()
        instructor = self._user(*INSTRUCTOR, is_staff=True)
        make_instructor(instructor)
        competition, _ = Competition.objects.get_or_create(
            slug="digitos",
            defaults={
                "title": "Dígitos escritos a mano / Hand-written digits",
                "description": DESCRIPTION,
                "is_published": True,
                "start_at": now - timedelta(days=7),
                "team_merger_at": now + timedelta(days=14),
                "end_at": now + timedelta(days=21),
                "team_size_limit": 3,
            },
        )
        for username, full_name, team_name in STUDENTS:
            student = self._user(username, full_name)
            if team_name:
                self._member(competition, team_name, student)
        self._print_logins()

    def _user(self, username: str, full_name: str, is_staff: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.edu", "full_name": full_name},
        )
        if created:
            user.is_staff = is_staff
            user.set_password(PASSWORD)
            user.save()
        return user

    def _member(self, competition: Competition, team_name: str, user: User) -> None:
        team, _ = Team.objects.get_or_create(
            competition=competition, name=team_name, defaults={"created_by": user}
        )
        Membership.objects.get_or_create(
            competition=competition, user=user, defaults={"team": team}
        )

    def _print_logins(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded. Logins (password for all: {PASSWORD}):")
        )
        self.stdout.write(f"  instructor: {INSTRUCTOR[0]}")
        for username, _, team in STUDENTS:
            self.stdout.write(f"  student:    {username}" + (f"  (team {team})" if team else ""))
