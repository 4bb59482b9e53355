"""The settings area under /settings/ (namespace ``settings``)."""

from django.urls import path

from accord.accounts import views_audit, views_customfields, views_settings

app_name = "settings"

urlpatterns = [
    path("", views_settings.settings_index, name="index"),
    path("users/", views_settings.user_list, name="user_list"),
    path("users/invite/", views_settings.user_invite, name="user_invite"),
    path("users/<int:user_id>/", views_settings.user_edit, name="user_edit"),
    path("users/<int:user_id>/deactivate/", views_settings.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/reactivate/", views_settings.user_reactivate, name="user_reactivate"),
    path(
        "users/<int:user_id>/resend-invitation/",
        views_settings.user_invite_resend,
        name="user_invite_resend",
    ),
    path("users/<int:user_id>/sign-out/", views_settings.user_sign_out, name="user_sign_out"),
    path(
        "users/<int:user_id>/two-factor/reset/",
        views_settings.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("teams/", views_settings.team_list, name="team_list"),
    path("teams/<int:team_id>/", views_settings.team_edit, name="team_edit"),
    path("teams/<int:team_id>/delete/", views_settings.team_delete, name="team_delete"),
    path("roles/", views_settings.role_list, name="role_list"),
    path("roles/<int:role_id>/", views_settings.role_edit, name="role_edit"),
    path("roles/<int:role_id>/delete/", views_settings.role_delete, name="role_delete"),
    path("custom-fields/", views_customfields.customfield_list, name="customfield_list"),
    path(
        "custom-fields/new/<str:object_type>/",
        views_customfields.customfield_create,
        name="customfield_create",
    ),
    path(
        "custom-fields/<int:field_id>/",
        views_customfields.customfield_edit,
        name="customfield_edit",
    ),
    path(
        "custom-fields/<int:field_id>/archive/",
        views_customfields.customfield_archive,
        name="customfield_archive",
    ),
    path(
        "custom-fields/<int:field_id>/restore/",
        views_customfields.customfield_restore,
        name="customfield_restore",
    ),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/<int:entry_id>/", views_audit.audit_detail, name="audit_detail"),
    path("access/", views_audit.explain, name="explain"),
]
