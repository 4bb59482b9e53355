"""Background entry points of the background app itself."""

from __future__ import annotations

from accord.background import services
from accord.background.periodic import periodic
from accord.background.tasks import job

PRUNE_SCHEDULE = "daily at 03:30"


@periodic(every=PRUNE_SCHEDULE, name="background.jobs_prune")
@job(queue="default", max_attempts=3)
def jobs_prune() -> dict[str, int]:
    """Remove job history older than ACCORD_JOB_RETENTION_DAYS (see services.jobs_prune)."""
    return services.jobs_prune().as_dict()
