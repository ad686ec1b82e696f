import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from competition import services
from competition.models import Membership, Team
from competition.services import RuleViolation
from tests.factories import make_team, make_user, web_client

pytestmark = pytest.mark.django_db

GOOD = (
    "email,full_name,team\n"
    "ana@example.edu,Ana Pérez,Los Pandas\n"
    "BRUNO@Example.edu,Bruno Díaz,Los Pandas\n"
    "carla@example.edu,Carla Ruiz,Gradientes\n"
)


def _import(competition, text: str, captured=None, encoding: str = "utf-8"):
    return services.roster_import(competition=competition, data=text.encode(encoding))


def test_good_rows_create_accounts_teams_and_memberships(
    competition, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(competition, GOOD)

    assert (report.accepted, report.rejected) == (3, 0)
    bruno = User.objects.get(email="bruno@example.edu")
    assert bruno.full_name == "Bruno Díaz"
    assert not bruno.has_usable_password()
    pandas = Team.objects.get(competition=competition, name="Los Pandas")
    assert sorted(pandas.memberships.values_list("user__email", flat=True)) == [
        "ana@example.edu",
        "bruno@example.edu",
    ]
    assert report.rows[0].actions == [
        "account created, set-password e-mail sent",
        "team “Los Pandas” created",
        "added to team “Los Pandas”",
    ]


def test_new_accounts_get_a_working_set_password_link(
    competition, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import(competition, GOOD)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.edu",
        "bruno@example.edu",
        "carla@example.edu",
    ]
    message = next(m for m in mail.outbox if m.to == ["ana@example.edu"])
    assert "Dígitos" in message.body
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.context["validlink"]
    new_password = "una-clave-bastante-larga-9"
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert User.objects.get(email="ana@example.edu").check_password(new_password)


def test_importing_twice_changes_nothing(competition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _import(competition, GOOD)
    mail.outbox.clear()
    before = (User.objects.count(), Team.objects.count(), Membership.objects.count())

    with django_capture_on_commit_callbacks(execute=True):
        report = _import(competition, GOOD)

    assert (User.objects.count(), Team.objects.count(), Membership.objects.count()) == before
    assert mail.outbox == []
    assert report.rejected == 0
    assert all("nothing to do" in row.actions[-1] for row in report.rows)


def test_existing_account_is_reused_not_duplicated(competition, alice):
    report = _import(competition, "email,full_name,team\nALICE@example.edu,Alice M,Pandas\n")

    assert report.rows[0].ok
    assert User.objects.filter(email__iexact="alice@example.edu").count() == 1
    assert Membership.objects.get(user=alice).team.name == "Pandas"


def test_bad_rows_are_rejected_with_reasons_and_the_rest_applied(competition, charlie):
    make_team(competition, "Gamma", charlie)
    make_team(competition, "Llenos", *[make_user(f"lleno{i}") for i in range(3)])
    text = (
        "email,full_name,team\n"
        "no-es-un-correo,Nadie,Pandas\n"
        "ana@example.edu,Ana,Pandas\n"
        "ana@example.edu,Ana otra vez,Pandas\n"
        "charlie@example.edu,Charlie,Pandas\n"
        "dario@example.edu,Darío,Llenos\n"
        "eva@example.edu,Eva,\n"
    )

    report = _import(competition, text)

    reasons = {row.line: row.actions for row in report.rows if not row.ok}
    assert reasons == {
        2: ["“no-es-un-correo” is not a valid e-mail address."],
        4: ["Duplicate of row 3."],
        5: ["Already in team “Gamma” in this competition."],
        6: ["Team “Llenos” is full: the limit is 3 members."],
    }
    assert report.accepted == 2
    assert User.objects.filter(email="ana@example.edu").exists()
    assert not User.objects.filter(email="dario@example.edu").exists()
    assert report.rows[-1].actions == ["account created, set-password e-mail sent", "no team given"]


def test_semicolons_bom_and_spanish_headers_are_understood(competition):
    text = "\ufeffCorreo;Nombre completo;Equipo\nana@example.edu;Ana Pérez;Los Pandas\n"

    report = _import(competition, text)

    assert report.rows[0].ok
    assert User.objects.get(email="ana@example.edu").full_name == "Ana Pérez"


def test_windows_1252_file_from_a_spreadsheet_is_read(competition):
    report = _import(
        competition, "email,name,team\nnuria@example.edu,Núria,Ñandúes\n", None, "cp1252"
    )

    assert report.rows[0].ok
    assert Team.objects.filter(name="Ñandúes").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The roster file is empty."),
        ("nombre,equipo\nAna,Pandas\n", "needs a header row with the columns: email"),
    ],
)
def test_unusable_roster_files_are_refused(competition, text, message):
    with pytest.raises(RuleViolation, match=message):
        _import(competition, text)
    assert User.objects.count() == 0


def test_roster_page_shows_the_report_per_row(competition, instructor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web_client(instructor)
    upload = SimpleUploadedFile(
        "roster.csv", b"email,full_name,team\nmalo,X,Y\nana@example.edu,Ana,Y\n"
    )

    response = client.post(reverse("competition:roster", args=[competition.slug]), {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a valid e-mail address" in html
    assert response.context["report"].accepted == 1


def test_invitations_wait_for_the_commit(competition, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _import(competition, GOOD)

    assert mail.outbox == []
    mails = [c for c in callbacks if "send_password_setup_email" in repr(c)]
    assert len(mails) == 3


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_mails_the_invitations(tmp_path):
    import time

    from tests.factories import make_competition
    from tests.workers import celery_worker

    competition = make_competition()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    with celery_worker(queues=("cpu",), env=env):
        _import(competition, GOOD)
        deadline = time.monotonic() + 180
        while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)

    sent = "".join(path.read_text() for path in tmp_path.iterdir())
    assert sorted(line for line in sent.splitlines() if line.startswith("To: ")) == [
        "To: ana@example.edu",
        "To: bruno@example.edu",
        "To: carla@example.edu",
    ]
