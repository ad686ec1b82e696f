"""Loads a demo course: an instructor, students in teams, three competitions built
from data sets that scikit-learn ships, with baselines and scored submissions.

Safe to run again: it finds what exists and leaves it as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import make_instructor
from competition import demo_data, leaderboard, scoring_service, services
from competition.models import Competition, CompetitionFile, Membership, Submission, Team

PASSWORD = "podio-demo"  # noqa: S105 - the demo's published password
INSTRUCTOR = ("ines", "Inés Fernández")
STUDENTS = [
    ("alice", "Alice Martínez", "Los Perceptrones"),
    ("bob", "Bob Rodríguez", "Los Perceptrones"),
    ("charlie", "Charlie Gómez", "Gradiente Descendente"),
    ("diana", "Diana López", None),
]
BASELINE_LABEL = "Baseline"
RUBRIC = [
    ("Método", "Qué modelos probaron y por qué; validación sin mirar el test.", "3"),
    ("Resultados", "Tabla de resultados comparables, con el baseline.", "3"),
    ("Análisis de errores", "Qué casos fallan y una hipótesis de por qué.", "2"),
    ("Presentación", "Una carilla, clara, con figuras legibles.", "2"),
]
REPORT_LINES = [
    "1. Método: regresión logística y k vecinos, validación cruzada de 5 particiones.",
    "2. Resultados: 0.96 de accuracy en validación; el baseline obtiene 0.93.",
    "3. Errores: el 8 y el 3 se confunden cuando el trazo es fino.",
]
DEMO_GRADE = [
    ("2.5", "Bien justificada la validación."),
    ("3", ""),
    ("1.5", "Falta una figura con ejemplos."),
    ("2", ""),
]


class Command(BaseCommand):
    help = "Loads the demo course (idempotent) and prints the demo logins."

    def handle(self, *args, **options) -> None:
        instructor = self._user(*INSTRUCTOR)
        make_instructor(instructor)
        students = {name: self._user(name, full) for name, full, _ in STUDENTS}
        for build in (demo_data.digits, demo_data.breast_cancer, demo_data.diabetes):
            self._competition(build, instructor, students)
        if not Competition.objects.filter(slug="digitos-keras").exists():
            self._keras_competition(instructor, students)
        self._print_logins()

    def _competition(self, build, instructor: User, students: dict[str, User]) -> None:
        demo = build()
        if Competition.objects.filter(slug=demo.slug).exists():
            return
        now = timezone.now()
        competition = Competition(
            slug=demo.slug,
            title=demo.title,
            description=demo.description,
            is_published=True,
            task_type=demo.task_type,
            metric=demo.metric,
            id_column="id",
            target_column=demo.target,
            public_fraction=0.3,
            split_seed=7,
            start_at=now - timedelta(days=10),
            team_merger_at=now + timedelta(days=14),
            end_at=now + timedelta(days=21),
            team_size_limit=3,
        )
        files = [
            SimpleUploadedFile("train.csv", demo.train),
            SimpleUploadedFile("test.csv", demo.test),
        ]
        services.competition_save(competition=competition, solution=demo.solution, files=files)
        with transaction.atomic():
            for username, _, team_name in STUDENTS:
                if team_name:
                    self._member(competition, team_name, students[username])
        self._submissions(competition, demo, instructor, students)
        self._reports(competition, instructor, students)

    def _keras_competition(self, instructor: User, students: dict[str, User]) -> None:
        demo = demo_data.digit_images()
        now = timezone.now()
        competition = Competition(
            slug=demo.slug, title=demo.title, description=demo.description, is_published=True,
            task_type="multiclass", metric="accuracy", id_column="id", target_column="label",
            public_fraction=0.3, split_seed=7, start_at=now - timedelta(days=3),
            team_merger_at=now + timedelta(days=14), end_at=now + timedelta(days=21),
            team_size_limit=3, accepts_csv=False, accepts_keras=True,
            model_input_shape="8,8,1", model_max_params=200_000, model_time_limit=120,
        )  # fmt: skip
        services.competition_save(
            competition=competition,
            solution=demo.solution,
            files=[SimpleUploadedFile("train.npz", demo.train)],
            model_inputs=demo.inputs,
        )
        with transaction.atomic():
            for username, _, team_name in STUDENTS:
                if team_name:
                    self._member(competition, team_name, students[username])
        upload = SimpleUploadedFile("baseline.keras", demo.baseline_model)
        baseline = services.baseline_create(
            competition=competition, user=instructor, upload=upload, name="Baseline: MLP 32"
        )
        scoring_service.submission_score(submission_id=baseline.pk)

    def _submissions(self, competition, demo, instructor, students) -> None:
        names = list(demo.predictions)
        plan = [(instructor, names[0], 9)]
        plan += [(students["alice"], name, 8 - i) for i, name in enumerate(names[1:])]
        plan += [(students["charlie"], names[-1], 2), (students["bob"], names[0], 1)]
        for user, model, days_ago in plan:
            upload = SimpleUploadedFile(f"{model}.csv", demo.predictions[model])
            if user.is_instructor:
                submission = services.baseline_create(
                    competition=competition, user=user, upload=upload, name=f"Baseline: {model}"
                )
            else:
                submission = services.submission_create(
                    competition=competition, user=user, upload=upload, description=model
                )
            scoring_service.submission_score(submission_id=submission.pk)
            when = timezone.now() - timedelta(days=days_ago)
            Submission.objects.filter(pk=submission.pk).update(created_at=when)
            leaderboard.touch(competition.pk)

    def _reports(self, competition, instructor: User, students: dict[str, User]) -> None:
        """A rubric, both teams' one-page reports, and one of them graded (not released)."""
        from grader import services as grading
        from grader.demo import report_pdf

        criteria = grading.rubric_save(
            competition=competition,
            user=instructor,
            criteria=[
                grading.CriterionInput(title, description, Decimal(points))
                for title, description, points in RUBRIC
            ],
        )
        for username in ("alice", "charlie"):
            team = Team.objects.get(competition=competition, memberships__user=students[username])
            lines = [f"Equipo {team.name} - {competition.title}", *REPORT_LINES]
            upload = SimpleUploadedFile("informe.pdf", report_pdf("Informe final", lines))
            grading.report_upload(competition=competition, user=students[username], upload=upload)
        team = Team.objects.get(competition=competition, memberships__user=students["alice"])
        scores = {
            criterion.id: grading.ScoreInput(points, comment)
            for criterion, (points, comment) in zip(criteria, DEMO_GRADE, strict=True)
        }
        grading.grade_save(
            team=team, user=instructor, scores=scores, comment="Buen informe.", complete=True
        )

    def _user(self, username: str, full_name: str) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.edu", "full_name": full_name},
        )
        if created:
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
        count = CompetitionFile.objects.count()
        self.stdout.write(f"  {Competition.objects.count()} competitions, {count} public files")
