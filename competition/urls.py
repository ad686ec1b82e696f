from django.urls import path

from competition import views

app_name = "competition"
urlpatterns = [
    path("", views.competition_list, name="list"),
    path("new/", views.competition_edit, name="new"),
    path("<slug:slug>/", views.competition_detail, name="detail"),
    path("<slug:slug>/edit/", views.competition_edit, name="edit"),
    path("<slug:slug>/team/", views.team_mine, name="team"),
    path("<slug:slug>/team/create/", views.team_create, name="team-create"),
    path("<slug:slug>/team/join/", views.team_join, name="team-join"),
    path("<slug:slug>/team/join/<str:code>/", views.team_join, name="team-join-code"),
    path("<slug:slug>/team/leave/", views.team_leave, name="team-leave"),
    path("<slug:slug>/team/invite/", views.team_invite_regenerate, name="team-invite"),
    path("<slug:slug>/teams/", views.team_list, name="teams"),
    path("<slug:slug>/roster/", views.roster_import, name="roster"),
    path("<slug:slug>/data/", views.competition_data, name="data"),
    path("<slug:slug>/data/<int:pk>/", views.file_download, name="file"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/submissions/", views.submission_list, name="submissions"),
    path(
        "<slug:slug>/submissions/<int:pk>/file/",
        views.submission_download,
        name="submission-file",
    ),
    path(
        "<slug:slug>/submissions/<int:pk>/predictions/",
        views.submission_predictions,
        name="submission-predictions",
    ),
    path(
        "<slug:slug>/submissions/<int:pk>/select/",
        views.submission_select,
        name="submission-select",
    ),
    path("<slug:slug>/leaderboard/", views.leaderboard_page, name="leaderboard"),
    path("<slug:slug>/leaderboard.csv", views.leaderboard_export, name="leaderboard-csv"),
    path("<slug:slug>/leaderboard/release/", views.release_private, name="release"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/freeze/", views.freeze_public, name="freeze"),
    path("<slug:slug>/manage/rescore/", views.rescore, name="rescore"),
    path("<slug:slug>/manage/rescore/progress/", views.rescore_progress, name="rescore-progress"),
    path("<slug:slug>/manage/submissions.zip", views.submissions_zip, name="submissions-zip"),
    path("<slug:slug>/manage/submissions/", views.all_submissions, name="all-submissions"),
    path(
        "<slug:slug>/manage/submissions/<int:pk>/exclude/",
        views.submission_exclude,
        name="submission-exclude",
    ),
    path("<slug:slug>/teams/<int:pk>/disqualify/", views.team_disqualify, name="team-disqualify"),
]
