from django.contrib.auth import views as auth_views
from django.urls import path

from accord.accounts import views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views_tokens.token_list, name="token_list"),
    path("tokens/<str:prefix>/revoke", views_tokens.token_revoke, name="token_revoke"),
]
