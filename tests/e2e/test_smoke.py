import re

import pytest
from playwright.sync_api import expect

from competition.models import Team
from tests.e2e.conftest import screenshot
from tests.factories import make_competition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_student_signs_up_creates_a_team_and_sees_it(page):
    competition = make_competition(title="Dígitos escritos a mano")

    page.goto(page.base + "/")
    screenshot(page, "01-competitions-es")
    page.get_by_role("link", name="Crear cuenta").first.click()
    page.fill("#id_username", "nueva")
    page.fill("#id_full_name", "Nueva Estudiante")
    page.fill("#id_email", "nueva@example.edu")
    page.fill("#id_password1", "una-clave-segura-123")
    page.fill("#id_password2", "una-clave-segura-123")
    screenshot(page, "02-signup-es")
    page.get_by_role("button", name="Crear cuenta").click()
    expect(page.get_by_test_id("nav-profile")).to_have_text("nueva")

    page.get_by_role("link", name="Dígitos escritos a mano").click()
    page.get_by_role("link", name="Crear o unirte a un equipo").click()
    page.fill("#id_name", "Los Pandas")
    page.get_by_role("button", name="Crear el equipo").click()

    expect(page.get_by_test_id("team-name")).to_have_text("Los Pandas")
    team = Team.objects.get(competition=competition, name="Los Pandas")
    expect(page.get_by_test_id("invite-code")).to_have_text(team.invite_code)
    screenshot(page, "03-team-es")


def test_language_switcher_turns_the_site_into_english(page):
    make_competition()

    page.goto(page.base + "/competitions/digitos/")
    page.get_by_role("button", name="EN").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/competitions/digitos/$"))
    screenshot(page, "04-overview-en")


def test_phone_sized_screen_keeps_the_page_readable(browser, live_server):
    make_competition()
    context = browser.new_context(
        locale="es-UY", viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()

    page.goto(live_server.url + "/competitions/digitos/")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "05-overview-phone-es")
    context.close()


@pytest.mark.worker
def test_student_submits_a_file_and_sees_its_score_appear(page, tmp_path):
    from tests.factories import PASSWORD, host, make_team, make_user, predictions
    from tests.workers import celery_worker

    competition = host(make_competition())
    alice = make_user("alice")
    make_team(competition, "Alpha", alice)
    csv_file = tmp_path / "mis-predicciones.csv"
    csv_file.write_bytes(predictions(correct=16))

    page.goto(page.base + "/accounts/login/?next=/competitions/digitos/submit/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.set_input_files("#id_file", str(csv_file))
    page.fill("#id_description", "knn, k=3")
    screenshot(page, "06-submit-es")
    with celery_worker(queues=("cpu",)):
        page.get_by_role("button", name="Enviar").click()
        expect(page.get_by_test_id("submissions")).to_contain_text("mis-predicciones.csv")
        # The page polls the API and shows the score without a reload by the student.
        expect(page.get_by_test_id("public-score").first).not_to_be_empty(timeout=150_000)
    screenshot(page, "07-submissions-es")
    public = competition.submissions.get().public_score
    expect(page.get_by_test_id("public-score").first).to_have_text(f"{public:.5f}".rstrip("0"))
