"""The write path every domain service builds on (principles 1 to 3).

Plain functions, one transaction each. They check the policy first (a denied call changes
nothing), validate input (foreign ids against the actor's view scope, custom values with
``clean_values``, the model with ``full_clean``), save, write the audit entry in the same
transaction and emit a domain event. A domain service wraps them with its own rules::

    CONTACT_EDITABLE = {"first_name", "last_name", "job_title", "company_id", "custom"}

    def contact_update(*, contact: Contact, actor: User, changes: dict) -> Contact:
        return services.update_fields(contact, actor, changes, allowed=CONTACT_EDITABLE)

See "Writing a service" in docs/access.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext

from accord.core import audit, customfields, events, policy

CUSTOM = "custom"


def _has_custom(model: type[models.Model]) -> bool:
    from accord.core.models import CustomFieldsMixin

    return issubclass(model, CustomFieldsMixin)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The concrete field called ``name`` or with attname ``name`` (``company_id``)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete or field.many_to_many:
        raise FieldDoesNotExist(name)
    return field


def _allowed_fields(model: type[models.Model], allowed: Collection[str]) -> set[str]:
    return {_field(model, name).name for name in allowed if name != CUSTOM}


def _foreign_visible(actor: Any, field: models.Field[Any, Any], value: Any, name: str) -> Any:
    """The id to store for a foreign key, checked against the actor's view scope when the
    related type is access-controlled."""
    pk = value.pk if isinstance(value, models.Model) else value
    related = field.related_model
    if pk is None or pk == "" or not isinstance(related, type):
        return None if pk == "" else pk
    if policy.is_registered(related):
        policy.require_visible(actor, related, pk, field=name)
    return pk


def _apply(
    obj: models.Model,
    actor: Any,
    data: Mapping[str, Any],
    allowed: Collection[str],
    errors: dict[str, list[str]],
    *,
    checked_foreign: dict[tuple[str, Any], Any] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Set ``data`` on ``obj``; collect per-field errors. Returns the changed attnames and a
    map from model field names to the names the caller used (for error keys)."""
    model = type(obj)
    allowed_names = _allowed_fields(model, allowed)
    changed: list[str] = []
    names: dict[str, str] = {}
    for name, value in data.items():
        if name == CUSTOM:
            continue
        try:
            field = _field(model, name)
        except FieldDoesNotExist:
            errors[name] = [gettext("Unknown field.")]
            continue
        if field.name not in allowed_names:
            errors[name] = [gettext("This field cannot be changed here.")]
            continue
        names[field.name] = name
        if field.is_relation:
            key = (name, value.pk if isinstance(value, models.Model) else value)
            cache = checked_foreign if checked_foreign is not None else {}
            if key not in cache:
                try:
                    cache[key] = _foreign_visible(actor, field, value, name)
                except ValidationError as exc:
                    cache[key] = exc
            outcome = cache[key]
            if isinstance(outcome, ValidationError):
                errors.update(outcome.message_dict)
                continue
            value = outcome
        setattr(obj, field.attname, value)
        changed.append(field.attname)
    return changed, names


def _clean_custom(
    obj: models.Model,
    data: Mapping[str, Any],
    allowed: Collection[str],
    errors: dict[str, list[str]],
    *,
    definitions: list[customfields.CustomFieldDefinition] | None = None,
) -> bool:
    """Validate and set custom values; True when ``custom`` may have changed."""
    model = type(obj)
    if not _has_custom(model):
        if CUSTOM in data:
            errors[CUSTOM] = [gettext("This record type has no custom fields.")]
        return False
    creating = obj._state.adding
    if CUSTOM in data and CUSTOM not in allowed:
        errors[CUSTOM] = [gettext("This field cannot be changed here.")]
        return False
    if CUSTOM not in data and not creating:
        return False
    try:
        obj.custom = customfields.clean_values(  # type: ignore[attr-defined]
            policy.object_type_of(model),
            data.get(CUSTOM) or {},
            instance=obj,
            definitions=definitions,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return True


def _full_clean(
    obj: models.Model,
    errors: dict[str, list[str]],
    names: Mapping[str, str],
    *,
    only: Collection[str] | None = None,
) -> None:
    """``full_clean`` (of the fields in ``only``, when given), errors renamed to the caller's
    names (``company`` -> ``company_id``) and merged into ``errors``."""
    exclude = None
    if only is not None:
        wanted = set(only)
        exclude = {f.name for f in obj._meta.concrete_fields if f.attname not in wanted}
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(names.get(name, name), []).extend(
                m for m in messages if m not in errors.get(names.get(name, name), [])
            )


def _object_type(obj: models.Model | type[models.Model]) -> str:
    return policy.object_type_of(obj)


def create_record[M: models.Model](
    model: type[M],
    actor: Any,
    data: Mapping[str, Any],
    *,
    allowed: Collection[str],
    defaults: Mapping[str, Any] | None = None,
) -> M:
    """Create a record of ``model`` from ``data`` (only ``allowed`` names, plus ``custom``
    when allowed); ``defaults`` are set first without checks (e.g. values the service
    computed). An owned record without an owner gets the actor; without a team, the actor's
    team when they have exactly one. The new record must be inside the actor's edit scope.
    """
    if not policy.can(actor, "create", model):
        raise PermissionDenied(gettext("You are not allowed to create this kind of record."))
    obj = model(**(defaults or {}))
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        _changed, names = _apply(obj, actor, data, allowed, errors)
        _clean_custom(obj, data, allowed, errors)
        _default_owner_and_team(obj, actor)
        if not errors:
            policy.require(actor, "create", obj)
        _full_clean(obj, errors, names)
        if errors:
            raise ValidationError(errors)
        obj.save()
        audit.record_create(obj, actor)
        events.emit(events.RecordCreated(_object_type(obj), obj.pk, getattr(actor, "pk", None)))
    return obj


def _default_owner_and_team(obj: models.Model, actor: Any) -> None:
    from accord.core.models import OwnedModel

    if not isinstance(obj, OwnedModel) or not getattr(actor, "is_authenticated", False):
        return
    if getattr(obj, "owner_id", None) is None:
        obj.owner_id = actor.pk
    if getattr(obj, "team_id", None) is None:
        team_ids = policy.access_for(actor).team_ids
        if len(team_ids) == 1:
            obj.team_id = next(iter(team_ids))


def update_fields[M: models.Model](
    obj: M, actor: Any, changes: Mapping[str, Any], *, allowed: Collection[str]
) -> M:
    """Change some fields of ``obj``: require ``edit``, lock and reload the row, snapshot,
    apply, validate the changed fields, save, audit the diff, emit ``RecordUpdated``.

    ``changes`` maps field names (or ``<fk>_id``) to values; ``"custom"`` maps custom field
    keys to values (only the keys given change). Any name outside ``allowed`` is an error.
    ``obj`` is reloaded from the database first: unsaved attribute changes on it are dropped.
    Returns ``obj``, saved. Errors are collected and raised together, keyed by field.
    """
    policy.require(actor, "edit", obj)
    model = type(obj)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        obj.refresh_from_db(from_queryset=model._default_manager.select_for_update())
        policy.require(actor, "edit", obj)
        before = audit.snapshot(obj)
        changed, names = _apply(obj, actor, changes, allowed, errors)
        if _clean_custom(obj, changes, allowed, errors):
            changed.append(CUSTOM)
        _full_clean(obj, errors, names, only=changed)
        if errors:
            raise ValidationError(errors)
        obj.save()
        entry = audit.record_update(obj, actor, before)
        if entry is not None:
            events.emit(
                events.RecordUpdated(
                    _object_type(obj), obj.pk, getattr(actor, "pk", None), dict(entry.changes)
                )
            )
    return obj


def delete_record(obj: models.Model, actor: Any) -> None:
    """Delete ``obj`` after ``require(actor, "delete", obj)``; the audit entry keeps its last
    state. A record still referenced by protected relations raises ValidationError."""
    policy.require(actor, "delete", obj)
    pk = obj.pk
    try:
        with transaction.atomic():
            audit.record_delete(obj, actor)
            obj.delete()
            events.emit(events.RecordDeleted(_object_type(obj), pk, getattr(actor, "pk", None)))
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            gettext("This record is still used by %(count)d other records.")
            % {
                "count": len(
                    exc.protected_objects
                    if isinstance(exc, ProtectedError)
                    else exc.restricted_objects
                )
            },
            code="protected",
        ) from exc


def bulk_update_fields[M: models.Model](
    queryset: QuerySet[M],
    actor: Any,
    changes: Mapping[str, Any],
    *,
    allowed: Collection[str],
    chunk_size: int = 500,
    batch: str = "",
) -> int:
    """Apply the same ``changes`` to every record of ``queryset`` the actor may edit.

    Needs the ``bulk_update`` capability; records outside the edit scope are skipped (the
    caller's queryset was already scoped for viewing). Foreign ids are checked once; every
    record is validated; if any fails, nothing changes and the errors are keyed
    ``records.<pk>.<field>``. One audit entry per changed record (``bulk_create``), all under
    one batch id, and one ``RecordsBulkUpdated`` event. Returns the number of records changed.
    """
    policy.require_capability(actor, "bulk_update")
    model = queryset.model
    editable = policy.scope(actor, policy.scope(actor, queryset, "view"), "edit")
    batch_id = batch or f"bulk:{uuid.uuid4().hex}"
    definitions = (
        customfields.definitions_for(_object_type(model), include_archived=True)
        if CUSTOM in changes
        else None
    )
    unique_keys = {d.key for d in definitions or [] if d.unique and not d.is_archived}
    custom_changes = changes.get(CUSTOM) or {}
    checked_foreign: dict[tuple[str, Any], Any] = {}
    changed_pks: list[Any] = []
    changed_fields: set[str] = set()
    with transaction.atomic(), audit.batch(batch_id):
        pks = list(editable.order_by("pk").values_list("pk", flat=True))
        if len(pks) > 1 and unique_keys & set(custom_changes):
            raise ValidationError(
                {CUSTOM: gettext("A unique field cannot be set on several records at once.")}
            )
        for start in range(0, len(pks), chunk_size):
            chunk = pks[start : start + chunk_size]
            objs = list(model._default_manager.select_for_update().filter(pk__in=chunk))
            entries = []
            to_save = []
            errors: dict[str, list[str]] = {}
            for obj in objs:
                row_errors: dict[str, list[str]] = {}
                before = audit.snapshot(obj)
                fields, names = _apply(
                    obj, actor, changes, allowed, row_errors, checked_foreign=checked_foreign
                )
                if _clean_custom(obj, changes, allowed, row_errors, definitions=definitions):
                    fields.append(CUSTOM)
                _full_clean(obj, row_errors, names, only=fields)
                for name, messages in row_errors.items():
                    errors[f"records.{obj.pk}.{name}"] = messages
                entry = audit.build_update(obj, actor, before)
                if entry is not None and not row_errors:
                    entries.append(entry)
                    to_save.append(obj)
                    changed_fields.update(fields)
            if errors:
                raise ValidationError(errors)
            if to_save:
                save_fields = sorted(changed_fields)
                if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                    now = timezone.now()
                    for obj in to_save:
                        obj.updated_at = now  # type: ignore[attr-defined]
                    save_fields.append("updated_at")
                model._default_manager.bulk_update(to_save, save_fields)
                audit.record_bulk(entries)
                changed_pks.extend(obj.pk for obj in to_save)
        if changed_pks:
            events.emit(
                events.RecordsBulkUpdated(
                    _object_type(model),
                    tuple(changed_pks),
                    getattr(actor, "pk", None),
                    tuple(sorted(changed_fields)),
                )
            )
    return len(changed_pks)
