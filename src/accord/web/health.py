"""Health endpoints for load balancers, orchestrators and uptime checks.

- ``GET /healthz``: the process is alive and answers HTTP. Touches no database.
- ``GET /readyz``: the database answers a query and the job queue table is reachable;
  503 with the failing check named otherwise.

Both are exempt from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) and from login, and are
never cached. Probes must send a ``Host`` header listed in ``ACCORD_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_ready() -> bool:
    """True when the default database answers ``SELECT 1``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    return row is not None and row[0] == 1


def queue_ready() -> bool:
    """True when the job queue can be read.

    Uses ``accord.background.health.queue_ready`` when the background app provides it, else
    reads one row of django-tasks-db's result table.
    """
    try:
        from accord.background.health import queue_ready as background_queue_ready
    except ImportError:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()
        return True
    return bool(background_queue_ready())


CHECKS: dict[str, Callable[[], bool]] = {"database": database_ready, "queue": queue_ready}


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        if name != "database" and "database" in failed:
            # The queue lives in the database: no point asking again.
            results[name] = "skipped: database unavailable"
            failed.append(name)
            continue
        try:
            ok = check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc, exc_info=True)
            results[name] = f"failed: {type(exc).__name__}"
            failed.append(name)
            continue
        if ok:
            results[name] = "ok"
        else:
            results[name] = "failed"
            failed.append(name)
    if failed:
        return JsonResponse(
            {"status": "unavailable", "failed": failed, "checks": results}, status=503
        )
    return JsonResponse({"status": "ok", "checks": results})
