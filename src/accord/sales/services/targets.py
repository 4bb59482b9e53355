"""Revenue targets per user or team and month or quarter (``manage_settings``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import audit, policy
from accord.sales import currency
from accord.sales.models import PeriodKind, Target

Errors = dict[str, list[str]]


def _require_manage(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise policy.NotFound
    policy.require_capability(actor, "manage_settings")


def period_start_ok(kind: str, start: dt.date) -> bool:
    if start.day != 1:
        return False
    return kind == PeriodKind.MONTH or start.month in (1, 4, 7, 10)


def _clean(data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    from accord.accounts.models import Team, User

    values: dict[str, Any] = {}
    user_id, team_id = data.get("user_id"), data.get("team_id")
    if (user_id is None) == (team_id is None):
        errors["user_id"] = [_("Give a user or a team (one of them).")]
    elif user_id is not None and not User.objects.filter(pk=user_id).exists():
        errors["user_id"] = [_("No such record.")]
    elif team_id is not None and not Team.objects.filter(pk=team_id).exists():
        errors["team_id"] = [_("No such record.")]
    values["user_id"], values["team_id"] = user_id, team_id
    kind = data.get("period_kind")
    if kind not in PeriodKind.values:
        errors["period_kind"] = [_("Choose month or quarter.")]
    start = data.get("period_start")
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            start = None
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        errors["period_start"] = [_("Enter a date as YYYY-MM-DD.")]
    elif kind in PeriodKind.values and not period_start_ok(str(kind), start):
        errors["period_start"] = [_("Enter the first day of the month or quarter.")]
    values["period_kind"], values["period_start"] = kind, start
    try:
        amount = Decimal(str(data.get("amount")))
        if not amount.is_finite() or amount < 0:
            raise ValueError
        values["amount"] = amount
    except (ArithmeticError, ValueError, TypeError):
        errors["amount"] = [_("Enter an amount of 0 or more.")]
    code = str(data.get("currency") or currency.base_currency()).upper()
    if not currency.is_currency_code(code):
        errors["currency"] = [_("Enter a three-letter currency code, e.g. EUR.")]
    values["currency"] = code
    return values


def target_set(*, actor: Any, data: Mapping[str, Any]) -> Target:
    """Create or change the target of a user or team for a period."""
    _require_manage(actor)
    errors: Errors = {}
    values = _clean(data, errors)
    if errors:
        raise ValidationError(errors)
    key = {
        "user_id": values["user_id"],
        "team_id": values["team_id"],
        "period_kind": values["period_kind"],
        "period_start": values["period_start"],
    }
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(**key).first()
        if target is None:
            target = Target(**values)
            try:
                target.full_clean()
            except ValidationError as exc:
                raise ValidationError(exc.message_dict) from exc
            target.save()
            audit.record_create(target, actor)
            return target
        before = audit.snapshot(target)
        target.amount = values["amount"]
        target.currency = values["currency"]
        target.save()
        audit.record_update(target, actor, before)
    return target


def target_delete(*, actor: Any, target: Target) -> None:
    _require_manage(actor)
    with transaction.atomic():
        audit.record_delete(target, actor)
        target.delete()
