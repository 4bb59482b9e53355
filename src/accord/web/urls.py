from django.contrib.auth.decorators import login_required
from django.urls import path

from accord.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("search/palette", views.search_palette, name="search_palette"),
    path("profile/", views.profile, name="profile"),
    path("profile/theme", views.profile_theme, name="profile_theme"),
    path("profile/password/", views.PasswordChange.as_view(), name="password_change"),
    path(
        "profile/password/done/",
        login_required(views.PasswordChangeDone.as_view()),
        name="password_change_done",
    ),
]
