from django.urls import path

from .views import duty, public, staff

app_name = "volunteers"
urlpatterns = [
    path("", staff.home, name="home"),
    path("register/", staff.register, name="register"),
    path("campaign-link/", staff.campaign_link, name="campaign_link"),
    path("people/<int:pk>/", staff.volunteer_page, name="volunteer"),
    path("people/<int:pk>/decide/", staff.decide, name="decide"),
    path("teams/", staff.teams_page, name="teams"),
    path("teams/<int:pk>/", staff.team_page, name="team"),
    path("teams/<int:pk>/members/", staff.team_members, name="team_members"),
    path("league/", staff.league_page, name="league"),
    path("posts/", staff.posts_page, name="posts"),
    path("posts/<int:pk>/roster/", staff.roster, name="roster"),
    path("shifts/<int:pk>/correct/", staff.correct, name="correct"),
    path("me/", duty.me_page, name="me"),
    path("me/sign-in/", duty.sign_in, name="sign_in"),
    path("me/shifts/<int:pk>/sign-out/", duty.sign_out, name="sign_out"),
    path("me/certificate.pdf", duty.certificate, name="certificate"),
    path("join/<str:token>/", public.apply_page, name="apply"),
]
