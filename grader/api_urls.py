from django.urls import path

from grader import api

urlpatterns = [
    path("competitions/<slug:slug>/report/", api.ReportApi.as_view(), name="api-report"),
    path("competitions/<slug:slug>/grade/", api.GradeMineApi.as_view(), name="api-grade"),
    path("competitions/<slug:slug>/grades/", api.GradesApi.as_view(), name="api-grades"),
    path(
        "competitions/<slug:slug>/grades/export/",
        api.GradesExportApi.as_view(),
        name="api-grades-export",
    ),
]
