import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from competition import services
from competition.models import Competition, CompetitionFile
from competition.services import RuleViolation
from tests.factories import SOLUTION, host, make_competition, web_client

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_solution_is_stored_hidden_away_from_media(hosted):
    path = Path(hosted.solution.path)

    assert path.is_relative_to(settings.HIDDEN_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    with pytest.raises(ValueError, match="no URL"):
        hosted.solution.url  # noqa: B018


def test_sample_submission_is_derived_with_every_id(hosted):
    sample = CompetitionFile.objects.get(competition=hosted, kind=CompetitionFile.Kind.SAMPLE)

    rows = _rows(sample.file.read())
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 21)]
    assert set(rows[0]) == {"id", "label"}


def test_without_usage_the_split_is_made_once_and_stored(competition):
    plain = "id,label\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 101))

    host(competition, plain, public_fraction=0.3, split_seed=7)

    stored = _rows(Path(competition.solution.path).read_bytes())
    usage = [row["Usage"] for row in stored]
    assert usage.count("Public") == 30 and usage.count("Private") == 70
    again = make_competition(slug="otra")
    host(again, plain, public_fraction=0.3, split_seed=7)
    assert [r["Usage"] for r in _rows(Path(again.solution.path).read_bytes())] == usage


def test_changing_the_seed_later_keeps_the_stored_split(competition):
    plain = "id,label\n" + "".join(f"{i},{i % 2}\n" for i in range(1, 51))
    host(competition, plain, public_fraction=0.5, split_seed=1)
    before = Path(competition.solution.path).read_bytes()

    competition.split_seed = 99
    services.competition_save(competition=competition, solution=None, files=[])

    after = Path(competition.solution.path).read_bytes()
    assert [r["Usage"] for r in _rows(after)] == [r["Usage"] for r in _rows(before)]


@pytest.mark.parametrize(
    ("solution", "metric", "message"),
    [
        ("id,label\n1,a\n1,b\n", "accuracy", "Id 1 appears 2 times \\(rows 2 and 3\\)"),
        ("id,label\n1,a\n,b\n", "accuracy", "empty"),
        ("id,label\n1,a\n2,\n", "accuracy", "empty"),
        ("id,label,Usage\n1,a,Public\n2,b,Maybe\n", "accuracy", "Usage is 'Maybe'"),
        ("id,label\n1,a\n2,b\n3,c\n", "roc_auc", "needs exactly 2 classes"),
        ("id,y\n1,cat\n2,dog\n", "rmse", "cat"),
        ("", "accuracy", "empty"),
    ],
)
def test_bad_solutions_are_refused_with_a_clear_message(competition, solution, metric, message):
    competition.metric = metric
    competition.save()

    with pytest.raises(RuleViolation, match=message) as error:
        services.competition_set_solution(competition=competition, data=solution.encode())

    assert error.value.message.startswith("Solution file:")
    competition.refresh_from_db()
    assert not competition.solution


def test_create_competition_command(tmp_path):
    solution = tmp_path / "solution.csv"
    solution.write_text(SOLUTION)
    train = tmp_path / "train.csv"
    train.write_text("id,x,label\n1,0.5,0\n")

    call_command(
        "create_competition", "--slug", "iris", "--solution", str(solution),
        "--metric", "f1_macro", "--file", str(train), "--publish", "--title", "Iris",
    )  # fmt: skip

    competition = Competition.objects.get(slug="iris")
    assert competition.is_published and competition.metric == "f1_macro"
    assert set(competition.files.values_list("name", flat=True)) == {
        "train.csv",
        "sample_submission.csv",
    }


def test_create_competition_command_reports_a_bad_solution(tmp_path):
    solution = tmp_path / "solution.csv"
    solution.write_text("id,label\n1,a\n1,a\n")

    with pytest.raises(CommandError, match="Id 1 appears 2 times \\(rows 2 and 3\\)"):
        call_command(
            "create_competition", "--slug", "x", "--solution", str(solution),
            "--metric", "accuracy",
        )  # fmt: skip


def test_instructor_creates_a_competition_through_the_page(instructor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "title": "Nueva", "slug": "nueva", "description": "Hola", "is_published": "on",
        "task_type": "multiclass", "metric": "accuracy", "id_column": "id",
        "target_column": "", "public_fraction": "0.3", "split_seed": "1",
        "start_at": "2026-01-01T00:00", "end_at": "2030-01-01T00:00", "daily_limit": "5",
        "limit_timezone": "UTC", "team_size_limit": "3", "final_selections": "2",
        "max_upload_mb": "10", "accepts_csv": "on", "model_input_dtype": "float32",
        "model_output": "argmax", "model_max_params": "5000000", "model_max_mb": "50",
        "model_time_limit": "120",
        "report_max_pages": "1",
        "report_max_mb": "10",
        "solution_file": SimpleUploadedFile("s.csv", SOLUTION.encode()),
        "public_files": [SimpleUploadedFile("train.csv", b"id,x\n1,2\n")],
    }  # fmt: skip

    response = web_client(instructor).post(reverse("competition:new"), data)

    assert response.status_code == 302, response.context["form"].errors
    competition = Competition.objects.get(slug="nueva")
    assert competition.solution
    assert competition.files.filter(kind="train").exists()


def test_metric_that_does_not_fit_the_task_is_refused_on_the_page(instructor):
    data = {"title": "X", "slug": "x", "task_type": "regression", "metric": "accuracy"}

    response = web_client(instructor).post(reverse("competition:new"), data)

    assert "This metric does not fit the task type." in response.context["form"].errors["metric"]


def test_public_files_download_and_hidden_solution_is_not_among_them(hosted, alice):
    client = web_client(alice)
    listing = client.get(reverse("competition:data", args=[hosted.slug])).content.decode()

    assert "sample_submission.csv" in listing
    assert "solution" not in listing.lower().replace("sample_submission", "")
    sample = hosted.files.get(kind="sample")
    response = client.get(reverse("competition:file", args=[hosted.slug, sample.pk]))
    assert response["Content-Type"] == "text/csv"
    assert 'attachment; filename="sample_submission.csv"' in response["Content-Disposition"]


def test_admin_pages_open_and_never_link_the_hidden_solution(hosted, instructor, alpha, alice):
    from competition.models import Submission
    from tests.factories import predictions, upload

    sub = Submission.objects.create(
        competition=hosted, team=alpha, user=alice, file=upload(predictions())
    )
    client = web_client(instructor)
    page = client.get(reverse("admin:competition_competition_change", args=[hosted.pk]))
    assert page.status_code == 200
    assert "solutions/" in page.content.decode()  # named
    assert 'href="solutions/' not in page.content.decode()  # never linked
    assert (
        client.get(reverse("admin:competition_submission_change", args=[sub.pk])).status_code == 200
    )
    assert client.get(reverse("admin:competition_submission_changelist")).status_code == 200
