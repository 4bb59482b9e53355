"""Page- and endpoint-shaped reads of the sales app, all scoped by the access policy."""

from accord.sales.selectors.board import (
    Board,
    BoardColumn,
    deal_board,
    deal_board_card,
    filtered_deals,
)
from accord.sales.selectors.dashboard import (
    MyOpenDeals,
    dashboard_forecast,
    dashboard_my_open_deals,
    dashboard_pipeline_by_stage,
)
from accord.sales.selectors.deals import (
    deal_detail,
    deal_stage_durations,
    pipelines_with_stages,
)
from accord.sales.selectors.forecast import (
    Forecast,
    Period,
    forecast,
    forecast_deals,
    target_for,
)
from accord.sales.selectors.reports import (
    HeldUpDeal,
    ProcessHealth,
    RepHealth,
    StageReport,
    StageReportRow,
    process_health,
    stage_report,
)

__all__ = [
    "Board",
    "BoardColumn",
    "Forecast",
    "HeldUpDeal",
    "MyOpenDeals",
    "Period",
    "ProcessHealth",
    "RepHealth",
    "StageReport",
    "StageReportRow",
    "dashboard_forecast",
    "dashboard_my_open_deals",
    "dashboard_pipeline_by_stage",
    "deal_board",
    "deal_board_card",
    "deal_detail",
    "deal_stage_durations",
    "filtered_deals",
    "forecast",
    "forecast_deals",
    "pipelines_with_stages",
    "process_health",
    "stage_report",
    "target_for",
]
