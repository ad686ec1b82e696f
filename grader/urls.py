from django.urls import path

from grader import views

app_name = "grader"
urlpatterns = [
    path("report/", views.report_page, name="report"),
    path("report/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
    path("report/regrade/", views.regrade_request, name="regrade"),
    path("grading/", views.overview, name="overview"),
    path("grading/rubric/", views.rubric_edit, name="rubric"),
    path("grading/scheme/", views.scheme_edit, name="scheme"),
    path("grading/release/", views.release, name="release"),
    path("grading/export.csv", views.export, name="export"),
    path("grading/teams/<int:team_id>/", views.grade_team, name="grade"),
    path("grading/regrades/<int:pk>/answer/", views.regrade_answer, name="regrade-answer"),
]
