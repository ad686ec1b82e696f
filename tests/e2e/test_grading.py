"""A report from upload to a released grade, in a real browser: a student and an
instructor, each in their own browser session."""

import pytest
from playwright.sync_api import expect

from competition.models import Competition
from grader.models import ReportGrade
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_competition, make_pdf, make_team, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(browser, base: str, username: str, next_path: str, locale: str = "en-US"):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{next_path}")
    return context, page


def test_a_report_is_uploaded_graded_and_released(browser, live_server, tmp_path):
    from accounts.roles import make_instructor

    competition: Competition = make_competition(title="Dígitos")
    ines = make_user("ines", full_name="Inés Fernández")
    make_instructor(ines)
    alice = make_user("alice", full_name="Alice Acosta")
    make_team(competition, "Alpha", alice)
    report = tmp_path / "informe-alpha.pdf"
    report.write_bytes(make_pdf(1, "Informe final del equipo Alpha"))
    too_long = tmp_path / "informe-largo.pdf"
    too_long.write_bytes(make_pdf(2))
    base = live_server.url

    # The student uploads a two-page report (refused, with the reason), then one page.
    student_context, student = _login(browser, base, "alice", "/competitions/digitos/report/")
    student.set_input_files("#id_file", str(too_long))
    student.get_by_role("button", name="Upload the report").click()
    expect(student.locator(".errorlist")).to_contain_text(
        "Your report has 2 pages; the limit is 1."
    )
    student.set_input_files("#id_file", str(report))
    student.get_by_role("button", name="Upload the report").click()
    expect(student.get_by_test_id("report-versions")).to_contain_text("informe-alpha.pdf")
    screenshot(student, "20-report-upload-en")

    # The instructor writes the rubric, grades beside the PDF, and releases.
    teacher_context, teacher = _login(browser, base, "ines", "/competitions/digitos/grading/")
    expect(teacher.get_by_test_id("progress")).to_contain_text("0 of 1 graded")
    teacher.get_by_role("link", name="Rubric: 0 criteria, 0 points").click()
    teacher.fill("#id_criteria-0-title", "Método")
    teacher.fill("#id_criteria-0-max_points", "6")
    teacher.fill("#id_criteria-1-title", "Resultados")
    teacher.fill("#id_criteria-1-description", "Tablas, análisis de errores")
    teacher.fill("#id_criteria-1-max_points", "4")
    teacher.get_by_role("button", name="Save the rubric").click()
    expect(teacher.locator(".messages")).to_contain_text("Rubric saved.")
    teacher.get_by_role("link", name="← Grading").click()
    teacher.get_by_role("link", name="Grade the next report").click()

    pdf = teacher.get_by_test_id("pdf")
    expect(pdf).to_be_visible()
    pdf_response = teacher.request.get(base + pdf.get_attribute("src"))
    assert pdf_response.headers["content-type"] == "application/pdf"
    method, results = competition.criteria.all()
    teacher.fill(f"#id_points_{method.pk}", "5")
    teacher.fill(f"#id_comment_{method.pk}", "Buena elección de modelo")
    teacher.get_by_role("button", name="Save draft").click()
    expect(teacher.locator(".messages")).to_contain_text("Alpha: draft saved.")
    assert not ReportGrade.objects.get().is_complete
    teacher.fill(f"#id_points_{results.pk}", "3.5")
    teacher.fill("#id_comment", "Informe claro y conciso.")
    screenshot(teacher, "21-grading-en")
    teacher.get_by_role("button", name="Mark graded").click()
    expect(teacher.locator(".messages")).to_contain_text("Alpha: graded.")
    teacher.get_by_role("link", name="← Grading").first.click()
    expect(teacher.get_by_test_id("progress")).to_contain_text("1 of 1 graded")

    # Before release the student sees nothing of it.
    student.goto(base + "/competitions/digitos/team/")
    expect(student.get_by_test_id("report-card")).to_be_visible()
    expect(student.get_by_test_id("grade")).to_have_count(0)

    teacher.get_by_test_id("release-grades").click()
    expect(teacher.locator(".messages")).to_contain_text("Grades released")
    screenshot(teacher, "22-grading-overview-en")

    student.reload()
    expect(student.get_by_test_id("grade-total")).to_have_text("8.50 / 10.00")
    expect(student.get_by_test_id("grade")).to_contain_text("Buena elección de modelo")
    expect(student.get_by_test_id("report-card")).to_contain_text("Informe claro y conciso.")

    # The student asks for a regrade; the instructor answers and changes the points.
    student.get_by_text("Ask for a regrade").nth(1).click()
    student.fill(f"#reason-{results.pk}", "La tabla 2 tiene el análisis de errores.")
    student.get_by_role("button", name="Send").click()
    expect(student.locator(".messages")).to_contain_text("Regrade request sent")
    screenshot(student, "23-team-grade-en")
    teacher.reload()
    teacher.get_by_role("link", name="Alpha · Resultados").click()
    teacher.fill("#id_answer", "Correcto, sumamos medio punto.")
    teacher.fill("#id_points", "4")
    teacher.get_by_role("button", name="Answer").click()
    expect(teacher.locator(".messages")).to_contain_text("Answer sent to the team.")
    student.reload()
    expect(student.get_by_test_id("grade-total")).to_have_text("9.00 / 10.00")
    expect(student.get_by_test_id("grade")).to_contain_text("Correcto, sumamos medio punto.")

    teacher.goto(base + "/competitions/digitos/manage/")
    expect(teacher.get_by_test_id("audit")).to_contain_text("Released grade changed")
    screenshot(teacher, "24-manage-en")
    student_context.close()
    teacher_context.close()
