"""The audit trail (principle 3: audit by construction).

Services write one entry per change in the same transaction as the change::

    with transaction.atomic():
        before = audit.snapshot(contact)
        ...change and save...
        audit.record_update(contact, actor, before)

Origin (web / api / job / import / cli / automation), batch and request id come from the
context (:func:`origin`), never from parameters. See docs/access.md.
"""

from accord.core.audit.context import AuditContext, batch, current, origin
from accord.core.audit.models import AuditEntry, Origin, Verb
from accord.core.audit.recording import (
    build_create,
    build_delete,
    build_entry,
    build_update,
    diff,
    json_value,
    record,
    record_bulk,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from accord.core.audit.retention import ERASED, anonymise_target, purge_expired
from accord.core.audit.selectors import audit_entries, content_type_for, history_for, history_of

__all__ = [
    "ERASED",
    "AuditContext",
    "AuditEntry",
    "Origin",
    "Verb",
    "anonymise_target",
    "audit_entries",
    "batch",
    "build_create",
    "build_delete",
    "build_entry",
    "build_update",
    "content_type_for",
    "current",
    "diff",
    "history_for",
    "history_of",
    "json_value",
    "origin",
    "purge_expired",
    "record",
    "record_bulk",
    "record_create",
    "record_delete",
    "record_update",
    "snapshot",
]
