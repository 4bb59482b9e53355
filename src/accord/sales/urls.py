"""URLs of the sales pages (``/deals/...``), namespace ``sales``."""

from django.urls import path

from accord.sales.views import board, deals, reports, settings

app_name = "sales"

urlpatterns = [
    path("deals/", deals.deal_list, name="deal_list"),
    path("deals/board/", board.deal_board, name="deal_board"),
    path("deals/new/", deals.deal_create, name="deal_create"),
    path("deals/forecast/", reports.forecast, name="forecast"),
    path("deals/forecast/deals/", reports.forecast_deals, name="forecast_deals"),
    path("deals/reports/stages/", reports.stage_report, name="stage_report"),
    path("deals/reports/health/", reports.process_health, name="process_health"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/delete/", deals.deal_delete, name="deal_delete"),
    path("deals/<int:pk>/fields/<str:name>", deals.deal_field, name="deal_field"),
    path("deals/<int:pk>/stage", deals.deal_stage_set, name="deal_stage_set"),
    path("deals/<int:pk>/move", board.deal_move, name="deal_move"),
    path("deals/<int:pk>/close", board.deal_close, name="deal_close"),
    path("deals/<int:pk>/reopen", board.deal_reopen, name="deal_reopen"),
    path("deals/<int:pk>/contacts/", deals.deal_contact_add, name="deal_contact_add"),
    path(
        "deals/<int:pk>/contacts/<int:contact_id>/remove",
        deals.deal_contact_remove,
        name="deal_contact_remove",
    ),
    path("contacts/<int:contact_id>/convert/", deals.lead_convert, name="lead_convert"),
    path("settings/pipelines/", settings.pipeline_settings, name="pipeline_settings"),
    path(
        "settings/pipelines/<str:section>/<str:action>",
        settings.pipeline_settings_action,
        name="pipeline_settings_action",
    ),
]
