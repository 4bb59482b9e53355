"""Background jobs of the lists app."""

from __future__ import annotations

from accord.background import job
from accord.core import customfields
from accord.core.customfields import CustomFieldDefinition


@job(queue="default", max_attempts=3)
def list_custom_field_index_ensure(object_type: str, key: str) -> None:
    """Create the expression index of a custom field that a saved view sorts or filters by
    (``CREATE INDEX IF NOT EXISTS``: running it again does nothing). Archived or unknown
    fields are skipped."""
    definition = CustomFieldDefinition.objects.filter(
        object_type=object_type, key=key, archived_at__isnull=True
    ).first()
    if definition is None:
        return
    try:
        model = customfields.model_for(object_type)
    except LookupError:
        return
    customfields.create_index(definition, model)
