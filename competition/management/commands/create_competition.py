"""Creates (or updates) a competition from the command line, solution and files included."""

from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from competition import services
from competition.models import Competition
from grader.scoring import get_metric


class Command(BaseCommand):
    help = "Creates or updates a competition with its hidden solution and public files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--solution", required=True, type=Path)
        parser.add_argument("--metric", required=True)
        parser.add_argument("--title")
        parser.add_argument("--task-type", choices=("binary", "multiclass", "regression"))
        parser.add_argument("--id-column", default="id")
        parser.add_argument("--target-column", default="")
        parser.add_argument("--public-fraction", type=float, default=0.3)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--file", action="append", type=Path, default=[], dest="files")
        parser.add_argument("--start", help="ISO date-time; default now")
        parser.add_argument("--end", help="ISO date-time; default in 30 days")
        parser.add_argument("--daily-limit", type=int, default=5)
        parser.add_argument("--team-size", type=int, default=4)
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, **options) -> None:
        metric = self._metric(options["metric"])
        competition = Competition.objects.filter(slug=options["slug"]).first() or Competition(
            slug=options["slug"]
        )
        self._apply(competition, options, metric)
        files = [self._upload(path) for path in options["files"]]
        try:
            solution = options["solution"].read_bytes()
            services.competition_save(competition=competition, solution=solution, files=files)
        except services.RuleViolation as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Competition {competition.slug} saved."))

    def _metric(self, name: str):
        try:
            return get_metric(name)
        except Exception as error:
            raise CommandError(str(error)) from None

    def _apply(self, competition: Competition, options: dict, metric) -> None:
        now = timezone.now()
        competition.title = options["title"] or competition.title or options["slug"]
        competition.metric = metric.name
        competition.task_type = options["task_type"] or sorted(metric.task_types)[-1]
        competition.id_column = options["id_column"]
        competition.target_column = options["target_column"]
        competition.public_fraction = options["public_fraction"]
        competition.split_seed = options["seed"]
        competition.start_at = self._when(options["start"]) or competition.start_at or now
        competition.end_at = (
            self._when(options["end"]) or competition.end_at or now + timedelta(days=30)
        )
        competition.daily_limit = options["daily_limit"]
        competition.team_size_limit = options["team_size"]
        competition.is_published = options["publish"] or competition.is_published

    def _when(self, text: str | None):
        if not text:
            return None
        value = parse_datetime(text)
        if value is None:
            raise CommandError(f"Not a date-time: {text!r} (use 2026-12-01T23:59)")
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    def _upload(self, path: Path) -> SimpleUploadedFile:
        try:
            return SimpleUploadedFile(path.name, path.read_bytes())
        except OSError as error:
            raise CommandError(str(error)) from None
