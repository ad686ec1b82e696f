from django.urls import path

from competition import api

urlpatterns = [
    path("competitions/", api.CompetitionListApi.as_view(), name="api-competitions"),
    path("competitions/<slug:slug>/", api.CompetitionDetailApi.as_view(), name="api-competition"),
    path("competitions/<slug:slug>/team/", api.TeamMineApi.as_view(), name="api-team"),
    path("competitions/<slug:slug>/team/join/", api.TeamJoinApi.as_view(), name="api-team-join"),
    path("competitions/<slug:slug>/team/leave/", api.TeamLeaveApi.as_view(), name="api-team-leave"),
    path(
        "competitions/<slug:slug>/submissions/",
        api.SubmissionListCreateApi.as_view(),
        name="api-submissions",
    ),
    path(
        "competitions/<slug:slug>/leaderboard/",
        api.LeaderboardApi.as_view(),
        name="api-leaderboard",
    ),
    path("competitions/<slug:slug>/files/", api.CompetitionFilesApi.as_view(), name="api-files"),
    path(
        "competitions/<slug:slug>/files/<int:pk>/",
        api.CompetitionFileDownloadApi.as_view(),
        name="api-competition-file",
    ),
    path("submissions/<int:pk>/", api.SubmissionDetailApi.as_view(), name="api-submission"),
    path("submissions/<int:pk>/file/", api.SubmissionFileApi.as_view(), name="api-submission-file"),
    path(
        "submissions/<int:pk>/select/",
        api.SubmissionSelectApi.as_view(),
        name="api-submission-select",
    ),
]
