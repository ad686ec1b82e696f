from django.urls import path

from competition import views

app_name = "competition"
urlpatterns = [
    path("", views.competition_list, name="list"),
    path("<slug:slug>/", views.competition_detail, name="detail"),
    path("<slug:slug>/team/", views.team_mine, name="team"),
    path("<slug:slug>/team/create/", views.team_create, name="team-create"),
    path("<slug:slug>/team/join/", views.team_join, name="team-join"),
    path("<slug:slug>/team/join/<str:code>/", views.team_join, name="team-join-code"),
    path("<slug:slug>/team/leave/", views.team_leave, name="team-leave"),
    path("<slug:slug>/team/invite/", views.team_invite_regenerate, name="team-invite"),
    path("<slug:slug>/teams/", views.team_list, name="teams"),
    path("<slug:slug>/roster/", views.roster_import, name="roster"),
]
