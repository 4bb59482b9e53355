"""Merging duplicate contacts or companies into one record.

``contact_merge(primary=..., others=[...], field_choices={...}, actor=...)``:

- needs the ``merge`` capability and ``edit`` on every record involved;
- ``field_choices`` maps a field (``job_title``, ``email``, ``custom.tier``) to the id of the
  record whose value wins; a field without a choice keeps the primary's value, or takes the
  first non-empty value of the others when the primary's is empty;
- emails, phones (and domains), addresses, profiles and tags are united; the primary email /
  phone is the one of the record chosen for ``email`` / ``phone``;
- every other row pointing at an absorbed record is re-pointed to the primary, discovered
  through ``_meta.related_objects`` (so deals, activities and tickets of later apps follow
  without changing this code); many-to-many links are united without duplicates;
- one audit entry ``merge`` on the primary (field diff, ``detail.merged_ids``) and one
  ``delete`` entry (action ``merged``) per absorbed record; the search index follows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext

from accord.contacts import search
from accord.contacts.events import RecordsMerged
from accord.contacts.models import (
    Address,
    Company,
    CompanyDomain,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
    SocialProfile,
)
from accord.core import audit, events, policy

CONTACT_MERGE_FIELDS = (
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "job_title",
    "department",
    "company_id",
    "owner_id",
    "team_id",
    "lifecycle_stage",
    "lead_status",
    "lead_source",
    "description",
    "birthday",
    "email_opt_in",
    "email_opt_in_source",
    "do_not_contact",
    "email",
    "phone",
)
COMPANY_MERGE_FIELDS = (
    "name",
    "industry",
    "size",
    "annual_revenue",
    "currency",
    "website",
    "description",
    "parent_id",
    "owner_id",
    "team_id",
    "domain",
    "phone",
)
# Child tables the merge handles itself (unique constraints, primaries).
_HANDLED = {ContactEmail, ContactPhone, CompanyDomain, CompanyPhone}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _check(
    primary: models.Model,
    others: Sequence[models.Model],
    field_choices: Mapping[str, Any],
    allowed: Sequence[str],
    actor: Any,
) -> list[models.Model]:
    policy.require_capability(actor, "merge")
    policy.require(actor, "edit", primary)
    if not others:
        raise ValidationError({"others": [gettext("Choose at least one record to merge.")]})
    ids = {primary.pk}
    for other in others:
        if other.pk in ids:
            raise ValidationError({"others": [gettext("A record is listed twice.")]})
        ids.add(other.pk)
        policy.require(actor, "edit", other)
    errors: dict[str, list[str]] = {}
    for name, chosen in field_choices.items():
        if name not in allowed and not name.startswith("custom."):
            errors[f"field_choices.{name}"] = [gettext("This field cannot be chosen.")]
        elif _as_int(chosen) not in ids:
            errors[f"field_choices.{name}"] = [gettext("Choose one of the merged records.")]
    if errors:
        raise ValidationError(errors)
    return list(others)


def _as_int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _choose(
    records: dict[Any, models.Model],
    primary: models.Model,
    others: Sequence[models.Model],
    field_choices: Mapping[str, Any],
    fields: Sequence[str],
) -> dict[str, Any]:
    """The winning value of each field (attname -> value) and of each custom key."""
    values: dict[str, Any] = {}
    for name in fields:
        if name in field_choices:
            values[name] = getattr(records[_as_int(field_choices[name])], name)
            continue
        value = getattr(primary, name)
        if _empty(value):
            for other in others:
                if not _empty(getattr(other, name)):
                    value = getattr(other, name)
                    break
        values[name] = value
    custom: dict[str, Any] = {}
    for record in [*reversed(list(others)), primary]:
        for key, value in (getattr(record, "custom", None) or {}).items():
            if not _empty(value):
                custom[key] = value
    for name, chosen in field_choices.items():
        if name.startswith("custom."):
            key = name.removeprefix("custom.")
            value = (getattr(records[_as_int(chosen)], "custom", None) or {}).get(key)
            if _empty(value):
                custom.pop(key, None)
            else:
                custom[key] = value
    values["custom"] = custom
    return values


def repoint_related(
    model: type[models.Model], primary: models.Model, other_ids: Sequence[Any]
) -> dict[str, int]:
    """Move every row of other models that points at one of ``other_ids`` to ``primary``.

    Foreign keys: one UPDATE per relation. One-to-one: only when the primary has none.
    Many-to-many (declared on another model): links the primary already has are dropped,
    the rest re-pointed. Returns ``{"app.model.field": rows}`` for the audit detail.
    """
    moved: dict[str, int] = {}
    for rel in model._meta.related_objects:
        related = rel.related_model
        if not isinstance(related, type) or related in _HANDLED:
            continue
        if rel.many_to_many:
            m2m_field = rel.field
            if not m2m_field.remote_field.through._meta.auto_created:  # type: ignore[attr-defined]
                continue  # an explicit through model: moved below through its foreign key
            through: Any = m2m_field.remote_field.through  # type: ignore[attr-defined]
            ours = m2m_field.m2m_reverse_field_name()  # type: ignore[attr-defined]
            theirs = m2m_field.m2m_field_name()  # type: ignore[attr-defined]
            have = through.objects.filter(**{ours: primary.pk}).values_list(
                f"{theirs}_id", flat=True
            )
            through.objects.filter(**{f"{ours}__in": other_ids, f"{theirs}__in": have}).delete()
            count = through.objects.filter(**{f"{ours}__in": other_ids}).update(
                **{ours: primary.pk}
            )
        else:
            field_name = rel.field.name
            queryset = related._default_manager.filter(**{f"{field_name}__in": other_ids})
            if related is model:
                queryset = queryset.exclude(pk=primary.pk)
            if rel.one_to_one:
                if related._default_manager.filter(**{field_name: primary.pk}).exists():
                    continue
                first = queryset.order_by("pk").first()
                count = 0
                if first is not None:
                    count = related._default_manager.filter(pk=first.pk).update(
                        **{field_name: primary.pk}
                    )
            else:
                _drop_conflicts(related, field_name, primary.pk, queryset)
                count = queryset.update(**{field_name: primary.pk})
        if count:
            moved[f"{related._meta.label_lower}.{rel.field.name}"] = count
    return moved


def _drop_conflicts(
    related: type[models.Model], field_name: str, primary_pk: Any, moving: Any
) -> None:
    """Rows that would break a unique constraint of ``related`` once moved to the primary
    (e.g. the same contact twice on one deal) are deleted: the primary's row, or the first
    moved one, stays."""
    groups: list[list[str]] = []
    for constraint in related._meta.constraints:
        fields = list(getattr(constraint, "fields", ()) or ())
        if (
            isinstance(constraint, models.UniqueConstraint)
            and field_name in fields
            and constraint.condition is None
        ):
            groups.append([f for f in fields if f != field_name])
    for together in related._meta.unique_together:
        if field_name in together:
            groups.append([f for f in together if f != field_name])
    manager = related._default_manager
    for others in groups:
        if not others:
            continue
        columns = [getattr(related._meta.get_field(f), "attname", f) for f in others]
        seen = set(manager.filter(**{field_name: primary_pk}).values_list(*columns))
        doomed = []
        for pk, *values in moving.order_by("pk").values_list("pk", *columns):
            key = tuple(values)
            if key in seen:
                doomed.append(pk)
            else:
                seen.add(key)
        if doomed:
            manager.filter(pk__in=doomed).delete()


def _unite_rows(
    model: type[models.Model],
    parent_field: str,
    key: str,
    primary: models.Model,
    others: Sequence[models.Model],
    primary_value: str,
) -> None:
    """Emails / phones / domains: one row per value on the primary; the row equal to
    ``primary_value`` becomes the primary one."""
    manager = model._default_manager
    ids = [o.pk for o in others]
    seen = set(manager.filter(**{parent_field: primary.pk}).values_list(key, flat=True))
    rows = list(manager.filter(**{f"{parent_field}__in": ids}).order_by("id"))
    manager.filter(pk__in=[r.pk for r in rows if getattr(r, key) in seen]).delete()
    keep = []
    for row in rows:
        value = getattr(row, key)
        if value in seen:
            continue
        seen.add(value)
        keep.append(row.pk)
    manager.filter(pk__in=keep).update(**{parent_field: primary.pk, "is_primary": False})
    manager.filter(**{parent_field: primary.pk}).update(is_primary=False)
    if primary_value:
        manager.filter(**{parent_field: primary.pk, key: primary_value}).update(is_primary=True)
    if not manager.filter(**{parent_field: primary.pk, "is_primary": True}).exists():
        first = manager.filter(**{parent_field: primary.pk}).order_by("id").first()
        if first is not None:
            manager.filter(pk=first.pk).update(is_primary=True)


def _unite_simple(parent_field: str, primary: models.Model, others: Sequence[models.Model]) -> None:
    """Addresses and social profiles: moved over, exact repeats dropped."""
    ids = [o.pk for o in others]
    for model, fields in (
        (Address, ("kind", "street", "city", "region", "postal_code", "country")),
        (SocialProfile, ("kind", "url")),
    ):
        manager = model._default_manager
        seen = set(manager.filter(**{parent_field: primary.pk}).values_list(*fields))
        for row in manager.filter(**{f"{parent_field}__in": ids}).order_by("id"):
            values = tuple(getattr(row, f) for f in fields)
            if values in seen:
                row.delete()
            else:
                seen.add(values)
                manager.filter(pk=row.pk).update(**{parent_field: primary.pk})


def _merge(
    model: type[Contact] | type[Company],
    *,
    primary: Any,
    others: Sequence[Any],
    field_choices: Mapping[str, Any] | None,
    actor: Any,
    fields: Sequence[str],
) -> Any:
    choices = dict(field_choices or {})
    _check(primary, others, choices, fields, actor)
    object_type = policy.object_type_of(model)
    with transaction.atomic():
        ids = [primary.pk, *(o.pk for o in others)]
        locked: dict[Any, Any] = {
            o.pk: o for o in model.objects.select_for_update().filter(pk__in=ids)
        }
        if len(locked) != len(ids):
            raise policy.NotFound()
        primary = locked[primary.pk]
        others = [locked[o.pk] for o in others]
        for record in locked.values():
            policy.require(actor, "edit", record)
        other_ids = [o.pk for o in others]
        before = audit.snapshot(primary)
        values = _choose(locked, primary, others, choices, fields)
        if model is Company and values.get("parent_id") in ids:
            values["parent_id"] = None
        if model is Contact and "lifecycle_stage" in choices:
            values["lifecycle_stage_at"] = locked[
                _as_int(choices["lifecycle_stage"])
            ].lifecycle_stage_at
        tag_names_before = sorted(primary.tags.values_list("name", flat=True), key=str.lower)
        # Child rows.
        parent_field = "contact" if model is Contact else "company"
        if model is Contact:
            _unite_rows(ContactEmail, "contact_id", "email", primary, others, values["email"])
            _unite_rows(ContactPhone, "contact_id", "number", primary, others, values["phone"])
        else:
            _unite_rows(CompanyDomain, "company_id", "domain", primary, others, values["domain"])
            _unite_rows(CompanyPhone, "company_id", "number", primary, others, values["phone"])
        _unite_simple(f"{parent_field}_id", primary, others)
        tags = {t.pk: t for o in [primary, *others] for t in o.tags.all()}
        primary.tags.set(list(tags.values()))
        moved = repoint_related(model, primary, other_ids)
        # Absorbed records: audit then delete (their remaining rows cascade).
        entries = []
        for other in others:
            entry = audit.build_delete(other, actor)
            entry.action = "merged"
            entry.detail = {"merged_into": primary.pk}
            entries.append(entry)
        audit.record_bulk(entries)
        model.objects.filter(pk__in=other_ids).delete()
        # Fields.
        for name, value in values.items():
            setattr(primary, name, value)
        _refresh_denormalised(primary)
        primary.save()
        tag_names = sorted((t.name for t in tags.values()), key=str.lower)
        extra = {"tags": [tag_names_before, tag_names]} if tag_names != tag_names_before else {}
        changes = audit.diff(before, audit.snapshot(primary))
        changes.update(extra)
        audit.record(
            primary,
            "merge",
            actor,
            changes=changes,
            detail={
                "merged_ids": other_ids,
                "field_choices": choices,
                "repointed": moved,
            },
        )
        events.emit(
            RecordsMerged(
                object_type,
                primary.pk,
                tuple(other_ids),
                getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
            )
        )
        if model is Contact:
            search.unindex(object_type, other_ids)
            search.index_contacts([primary.pk])
        else:
            search.unindex(object_type, other_ids)
            search.index_companies([primary.pk])
            from accord.contacts.services.companies import reindex_company_contacts

            reindex_company_contacts(primary.pk)
    return primary


def _refresh_denormalised(record: Any) -> None:
    if isinstance(record, Contact):
        record.email = (
            ContactEmail.objects.filter(contact=record, is_primary=True)
            .values_list("email", flat=True)
            .first()
            or ""
        )
        record.phone = (
            ContactPhone.objects.filter(contact=record, is_primary=True)
            .values_list("number", flat=True)
            .first()
            or ""
        )
    else:
        record.domain = (
            CompanyDomain.objects.filter(company=record, is_primary=True)
            .values_list("domain", flat=True)
            .first()
            or ""
        )
        record.phone = (
            CompanyPhone.objects.filter(company=record, is_primary=True)
            .values_list("number", flat=True)
            .first()
            or ""
        )


def contact_merge(
    *,
    primary: Contact,
    others: Sequence[Contact],
    field_choices: Mapping[str, Any] | None = None,
    actor: Any,
) -> Contact:
    """Merge ``others`` into ``primary`` (see the module docstring); returns the primary."""
    result: Contact = _merge(
        Contact,
        primary=primary,
        others=others,
        field_choices=field_choices,
        actor=actor,
        fields=CONTACT_MERGE_FIELDS,
    )
    return result


def company_merge(
    *,
    primary: Company,
    others: Sequence[Company],
    field_choices: Mapping[str, Any] | None = None,
    actor: Any,
) -> Company:
    """Merge ``others`` into ``primary``: their contacts, subsidiaries, domains, phones and
    every related record move to the primary."""
    result: Company = _merge(
        Company,
        primary=primary,
        others=others,
        field_choices=field_choices,
        actor=actor,
        fields=COMPANY_MERGE_FIELDS,
    )
    return result
