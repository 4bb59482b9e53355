"""The audit origin context: how the current change reached the services.

The web middleware sets ``web`` (or ``api`` under ``/api/``) with the request id; the job
runner, importer, CLI and automation engine wrap their work in ``audit.origin(...)``. Services
never take an origin parameter: the audit helpers read the current context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from accord.core.audit.models import Origin

ORIGINS = frozenset(Origin.values)


@dataclass(frozen=True)
class AuditContext:
    origin: str = Origin.SYSTEM
    batch: str = ""
    request_id: str = ""
    # Written as ``actor_label`` when a change has no acting user (e.g. "job:import_run").
    actor_label: str = ""


# AuditContext is a frozen dataclass: sharing the default instance is safe.
_current: ContextVar[AuditContext] = ContextVar(
    "accord_audit_context",
    default=AuditContext(),  # noqa: B039
)


def current() -> AuditContext:
    """The context audit entries are written with right now."""
    return _current.get()


@contextmanager
def origin(
    name: str,
    *,
    batch: str | None = None,
    request_id: str | None = None,
    actor_label: str | None = None,
) -> Iterator[AuditContext]:
    """Run a block with an origin; values not given are inherited from the enclosing context.

    >>> with audit.origin("import", batch=f"import:{run.pk}"):
    ...     contact_create(actor=user, data=row)
    """
    if name not in ORIGINS:
        raise ValueError(f"unknown audit origin {name!r}; expected one of {sorted(ORIGINS)}")
    parent = _current.get()
    context = replace(
        parent,
        origin=name,
        batch=parent.batch if batch is None else batch[:64],
        request_id=parent.request_id if request_id is None else request_id[:64],
        actor_label=parent.actor_label if actor_label is None else actor_label[:255],
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextmanager
def batch(batch_id: str) -> Iterator[AuditContext]:
    """Group the entries written inside the block under ``batch_id``, keeping the origin."""
    with origin(current().origin, batch=batch_id) as context:
        yield context
