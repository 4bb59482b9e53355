"""Background entry points of the accounts app: the daily audit retention purge."""

from __future__ import annotations

from accord.background.periodic import periodic
from accord.background.tasks import job
from accord.core import audit

AUDIT_PURGE_SCHEDULE = "daily at 04:15"


@periodic(every=AUDIT_PURGE_SCHEDULE, name="core.audit_purge")
@job(queue="default", max_attempts=3)
def audit_purge() -> dict[str, int]:
    """Delete audit entries older than ACCORD_AUDIT_RETENTION_DAYS (0 keeps everything)."""
    with audit.origin("job", actor_label="job:audit_purge"):
        return {"deleted": audit.purge_expired()}
