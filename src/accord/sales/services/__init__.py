"""Every write of the sales app (principle 1). Import from here::

from accord.sales.services import deal_create, deal_move_to_stage
"""

from accord.sales.currency import (
    exchange_rate_delete,
    exchange_rate_set,
    exchange_rates_bulk_set,
)
from accord.sales.services.deals import (
    DEAL_FIELDS,
    deal_bulk_assign_owner,
    deal_bulk_create,
    deal_bulk_delete,
    deal_bulk_move_stage,
    deal_create,
    deal_delete,
    deal_mark_lost,
    deal_mark_won,
    deal_move_to_stage,
    deal_reopen,
    deal_touch_activity,
    deal_update,
    default_pipeline,
    lead_convert_to_deal,
)
from accord.sales.services.settings import (
    lost_reason_create,
    lost_reason_update,
    pipeline_archive,
    pipeline_create,
    pipeline_update,
    pipelines_reorder,
    stage_archive,
    stage_create,
    stage_update,
    stages_reorder,
)
from accord.sales.services.targets import target_delete, target_set

__all__ = [
    "DEAL_FIELDS",
    "deal_bulk_assign_owner",
    "deal_bulk_create",
    "deal_bulk_delete",
    "deal_bulk_move_stage",
    "deal_create",
    "deal_delete",
    "deal_mark_lost",
    "deal_mark_won",
    "deal_move_to_stage",
    "deal_reopen",
    "deal_touch_activity",
    "deal_update",
    "default_pipeline",
    "exchange_rate_delete",
    "exchange_rate_set",
    "exchange_rates_bulk_set",
    "lead_convert_to_deal",
    "lost_reason_create",
    "lost_reason_update",
    "pipeline_archive",
    "pipeline_create",
    "pipeline_update",
    "pipelines_reorder",
    "stage_archive",
    "stage_create",
    "stage_update",
    "stages_reorder",
    "target_delete",
    "target_set",
]
