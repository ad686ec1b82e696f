"""The `podio` client against a live test server (no mocks): every command."""

import csv
import io
import json
import stat

import pytest
from podio_client import Podio, PodioError
from podio_client.cli import main

from accounts.services import token_get_or_create
from tests.factories import PASSWORD, host, make_competition, make_team, make_user, predictions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, tmp_path, monkeypatch):
    monkeypatch.setenv("PODIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PODIO_LANGUAGE", "en")
    competition = host(make_competition())
    alice = make_user("alice")
    make_team(competition, "Alpha", alice)
    good = tmp_path / "preds.csv"
    good.write_bytes(predictions(correct=15))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,label\n1,0\n")
    return {"url": live_server.url, "alice": alice, "good": good, "bad": bad, "tmp": tmp_path}


def _login(site) -> None:
    token = token_get_or_create(user=site["alice"]).key
    assert main(["login", "--url", site["url"], "--token", token]) == 0


def test_login_asks_for_the_password_and_keeps_the_token_private(site, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "alice")
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)

    assert main(["login", "--url", site["url"]]) == 0

    path = site["tmp"] / "config" / "config.json"
    assert json.loads(path.read_text())["token"] == token_get_or_create(user=site["alice"]).key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Logged in" in capsys.readouterr().out


def test_wrong_password_fails_with_the_servers_message(site, monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong")

    assert main(["login", "--url", site["url"], "--username", "alice"]) == 1
    assert "Unable to log in" in capsys.readouterr().err


def test_commands_need_a_login_first(site, capsys):
    assert main(["competitions"]) == 1
    assert "Not logged in" in capsys.readouterr().err


def test_competitions_as_a_table_and_as_json(site, capsys):
    _login(site)
    capsys.readouterr()

    assert main(["competitions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["SLUG", "TITLE", "ENDS"] and lines[1].startswith("digitos")
    assert main(["competitions", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["slug"] == "digitos"


def test_download_saves_the_public_files(site, capsys):
    _login(site)

    assert main(["download", "digitos", "-p", str(site["tmp"] / "data")]) == 0

    sample = site["tmp"] / "data" / "sample_submission.csv"
    assert sample.read_text().startswith("id,label\n")


def test_submit_and_wait_prints_the_score(site, capsys):
    _login(site)

    assert main(["submit", "digitos", str(site["good"]), "-m", "knn", "--wait"]) == 0

    out = capsys.readouterr()
    assert "Scored: public score" in out.out
    assert "scored" in out.err


def test_a_failed_submission_exits_non_zero_with_the_reason(site, capsys):
    _login(site)

    assert main(["submit", "digitos", str(site["bad"]), "--wait"]) == 1
    assert "19 ids are missing" in capsys.readouterr().err


def test_submissions_select_and_leaderboard(site, capsys):
    _login(site)
    main(["submit", "digitos", str(site["good"]), "--wait"])
    capsys.readouterr()

    assert main(["submissions", "digitos", "--json"]) == 0
    submission = json.loads(capsys.readouterr().out)[0]
    assert submission["status"] == "scored"
    assert main(["select", str(submission["id"])]) == 0
    assert "is selected" in capsys.readouterr().out
    assert main(["leaderboard", "digitos"]) == 0
    assert "Alpha" in capsys.readouterr().out
    assert main(["leaderboard", "digitos", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["team"] == "Alpha" and rows[0]["rank"] == "1"
    assert main(["leaderboard", "digitos", "--private"]) == 1
    assert "not released" in capsys.readouterr().err


def test_python_api_from_a_notebook(site):
    token = token_get_or_create(user=site["alice"]).key

    scored = Podio(site["url"], token).submit("digitos", site["good"], wait=True, poll=0.2)

    assert scored["status"] == "scored" and scored["public_score"] is not None
    with pytest.raises(PodioError, match="19 ids are missing"):
        Podio(site["url"], token).submit("digitos", site["bad"], wait=True, poll=0.2)


def test_messages_follow_the_users_language(site, monkeypatch):
    monkeypatch.setenv("PODIO_LANGUAGE", "es")

    with pytest.raises(PodioError, match="No puede iniciar sesión"):
        Podio.login(site["url"], "alice", "wrong")


def test_the_site_serves_the_client_package(client):
    import tarfile

    response = client.get("/client/podio-client.tar.gz")

    assert response.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(response.content)) as archive:
        names = set(archive.getnames())
    assert {"podio-client/pyproject.toml", "podio-client/podio_client/cli.py"} <= names


def test_overview_shows_the_notebook_lines_with_the_students_token(site):
    from django.test import Client

    browser = Client()
    browser.force_login(site["alice"])
    html = browser.get("/competitions/digitos/").content.decode()

    token = token_get_or_create(user=site["alice"]).key
    assert "/client/podio-client.tar.gz" in html
    assert f'"{token}").submit("digitos", "predictions.csv", wait=True)' in html


def test_report_uploads_refuses_and_shows_the_released_grade(site, capsys):
    from decimal import Decimal

    from accounts.roles import make_instructor
    from competition.models import Competition
    from grader import services
    from grader.services import CriterionInput, ScoreInput
    from tests.factories import make_pdf

    _login(site)
    two_pages = site["tmp"] / "largo.pdf"
    two_pages.write_bytes(make_pdf(2))
    one_page = site["tmp"] / "informe.pdf"
    one_page.write_bytes(make_pdf(1))

    assert main(["report", "digitos", str(two_pages)]) == 1
    assert "Your report has 2 pages; the limit is 1." in capsys.readouterr().err
    assert main(["report", "digitos", str(one_page)]) == 0
    assert "received: 1 page(s), team Alpha" in capsys.readouterr().out

    assert main(["report", "digitos"]) == 0
    out = capsys.readouterr().out
    assert "informe.pdf" in out and "alice" in out and "Total" not in out

    competition = Competition.objects.get(slug="digitos")
    ines = make_user("ines")
    make_instructor(ines)
    (criterion,) = services.rubric_save(
        competition=competition, user=ines, criteria=[CriterionInput("Método", "", Decimal(5))]
    )
    team = competition.teams.get(name="Alpha")
    services.grade_save(
        team=team, user=ines, scores={criterion.id: ScoreInput("4", "Bien")}, comment="Claro",
        complete=True,
    )  # fmt: skip
    services.grades_release(competition=competition, user=ines, released=True)
    assert main(["report", "digitos"]) == 0
    out = capsys.readouterr().out
    assert "Total: 4.00 / 5.00" in out and "Método" in out and "Comment: Claro" in out
    assert main(["report", "digitos", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["grade"]["total"] == "4.00"

    podio = Podio(site["url"], token_get_or_create(user=site["alice"]).key)
    assert podio.report("digitos", one_page)["pages"] == 1
    assert len(podio.report_status("digitos")["versions"]) == 2
