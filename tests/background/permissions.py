"""Permission matrix rows of the background jobs page (see tests/permission_matrix.py).

The page needs the ``manage_settings`` capability (the admin role by default).
"""

from __future__ import annotations

import uuid

from tests.permission_matrix import Endpoint, declare, web_admin

UNKNOWN_JOB = uuid.UUID("00000000-0000-4000-8000-000000000000")

declare(
    Endpoint("background:job_list", expect=web_admin(200)),
    Endpoint(
        "background:job_retry",
        method="POST",
        kwargs=lambda w: {"job_id": UNKNOWN_JOB},
        expect=web_admin(302),
        note="an unknown job: a warning and back to the list",
    ),
    Endpoint(
        "background:job_cancel",
        method="POST",
        kwargs=lambda w: {"job_id": UNKNOWN_JOB},
        expect=web_admin(302),
    ),
)
