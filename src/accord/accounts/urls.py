from django.urls import path

from accord.accounts import views_auth, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("login/code/", views_auth.login_two_factor, name="login_two_factor"),
    path("logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("password/reset/", views_auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views_auth.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views_auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", views_auth.invite_accept, name="invite_accept"),
    path("security/", views_auth.security, name="security"),
    path("security/two-factor/", views_auth.two_factor_setup, name="two_factor_setup"),
    path(
        "security/two-factor/disable/",
        views_auth.two_factor_disable,
        name="two_factor_disable",
    ),
    path(
        "security/recovery-codes/",
        views_auth.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path(
        "security/sessions/<int:session_id>/revoke/",
        views_auth.session_revoke,
        name="session_revoke",
    ),
    path(
        "security/sessions/revoke-others/",
        views_auth.session_revoke_others,
        name="session_revoke_others",
    ),
    path("tokens/", views_tokens.token_list, name="token_list"),
    path("tokens/<str:prefix>/revoke", views_tokens.token_revoke, name="token_revoke"),
]
