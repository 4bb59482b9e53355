"""Base currency, dated exchange rates and conversion.

``ExchangeRate(currency, rate, valid_from)`` says: from ``valid_from`` on, one unit of
``currency`` is worth ``rate`` units of the base currency (``ACCORD_BASE_CURRENCY``, default
USD). The rate in force on a date is the one with the latest ``valid_from <= date``. A
missing rate is never guessed: ``convert`` raises :class:`MissingExchangeRate`, and the
selectors flag the amounts they could not convert (``missing_rates``) instead of counting
them at 1.0.

Money math is exact: products are computed with 50 significant digits and only the final
total is rounded to cents (half up), so a total equals the sum of the exact conversions of
its deals, rounded once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import decimal
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accord.core import audit, policy
from accord.sales.models import ExchangeRate

CENT = Decimal("0.01")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
MONEY_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_UP)


class MissingExchangeRate(ValidationError):
    def __init__(self, currency: str, on_date: dt.date) -> None:
        self.currency = currency
        self.on_date = on_date
        super().__init__(
            _("No exchange rate for %(currency)s on %(date)s.")
            % {"currency": currency, "date": on_date.isoformat()},
            code="missing_rate",
        )


def base_currency() -> str:
    return str(getattr(settings, "ACCORD_BASE_CURRENCY", "USD") or "USD").upper()


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, context=MONEY_CONTEXT)


def is_currency_code(value: Any) -> bool:
    return isinstance(value, str) and bool(CURRENCY_RE.match(value))


@dataclass
class RateTable:
    """Every exchange rate, loaded once (one query); look-ups by bisection."""

    base: str
    rates: dict[str, tuple[list[dt.date], list[Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RateTable:
        table = cls(base=base_currency())
        grouped: dict[str, list[tuple[dt.date, Decimal]]] = {}
        for currency, valid_from, rate in ExchangeRate.objects.order_by(
            "currency", "valid_from"
        ).values_list("currency", "valid_from", "rate"):
            grouped.setdefault(currency, []).append((valid_from, rate))
        for currency, rows in grouped.items():
            table.rates[currency] = ([d for d, _r in rows], [r for _d, r in rows])
        return table

    def rate(self, currency: str, on_date: dt.date) -> Decimal:
        if currency == self.base:
            return Decimal(1)
        dates_rates = self.rates.get(currency)
        if dates_rates is None:
            raise MissingExchangeRate(currency, on_date)
        dates, rates = dates_rates
        index = bisect.bisect_right(dates, on_date) - 1
        if index < 0:
            raise MissingExchangeRate(currency, on_date)
        return rates[index]

    def intervals(
        self, currency: str, start: dt.date, end: dt.date
    ) -> list[tuple[dt.date, dt.date, Decimal | None]]:
        """[start, end] (inclusive) cut where the rate of ``currency`` changes:
        ``(first day, day after the last, rate or None when there is none)``."""
        dates = self.rates.get(currency, ([], []))[0] if currency != self.base else []
        cuts = [start] + [d for d in dates if start < d <= end] + [end + dt.timedelta(days=1)]
        result = []
        for first, after in itertools.pairwise(cuts):
            try:
                rate: Decimal | None = self.rate(currency, first)
            except MissingExchangeRate:
                rate = None
            result.append((first, after, rate))
        return result

    def has_rate(self, currency: str, on_date: dt.date) -> bool:
        try:
            self.rate(currency, on_date)
        except MissingExchangeRate:
            return False
        return True

    def convert_exact(self, amount: Decimal, currency: str, on_date: dt.date) -> Decimal:
        """``amount`` in the base currency, unrounded."""
        return MONEY_CONTEXT.multiply(Decimal(amount), self.rate(currency, on_date))


def convert(
    amount: Decimal, currency: str, on_date: dt.date, *, table: RateTable | None = None
) -> Decimal:
    """``amount`` of ``currency`` in the base currency with the rate in force on ``on_date``,
    rounded to cents. Raises :class:`MissingExchangeRate`."""
    return round_money((table or RateTable.load()).convert_exact(amount, currency, on_date))


@dataclass
class Total:
    """A sum in the base currency plus what could not be converted."""

    exact: Decimal = Decimal(0)
    missing: set[tuple[str, dt.date]] = field(default_factory=set)

    @property
    def amount(self) -> Decimal:
        return round_money(self.exact)

    def add(
        self, table: RateTable, amount: Decimal | None, currency: str, on_date: dt.date
    ) -> None:
        if amount is None:
            return
        try:
            self.exact = MONEY_CONTEXT.add(
                self.exact, table.convert_exact(amount, currency, on_date)
            )
        except MissingExchangeRate:
            self.missing.add((currency, on_date))

    def add_base(self, exact: Decimal) -> None:
        self.exact = MONEY_CONTEXT.add(self.exact, exact)


def sum_converted(table: RateTable, rows: Iterable[tuple[Decimal | None, str, dt.date]]) -> Total:
    total = Total()
    for amount, currency, on_date in rows:
        total.add(table, amount, currency, on_date)
    return total


# -- services: exchange rates are settings (manage_settings) --------------------------------


def _require_manage(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise policy.NotFound
    policy.require_capability(actor, "manage_settings")


def _clean_rate(data: Mapping[str, Any]) -> tuple[str, Decimal, dt.date]:
    errors: dict[str, list[str]] = {}
    currency = str(data.get("currency") or "").strip().upper()
    if not is_currency_code(currency):
        errors["currency"] = [_("Enter a three-letter currency code, e.g. EUR.")]
    elif currency == base_currency():
        errors["currency"] = [_("The base currency always has the rate 1.")]
    rate: Decimal | None = None
    try:
        rate = Decimal(str(data.get("rate")))
        if not rate.is_finite() or rate <= 0:
            raise decimal.InvalidOperation
        if rate.as_tuple().exponent < -10 or rate.adjusted() >= 10:  # type: ignore[operator]
            errors["rate"] = [_("Use at most 10 digits before and after the decimal point.")]
    except (decimal.InvalidOperation, TypeError, ValueError):
        errors["rate"] = [_("Enter a positive number.")]
    valid_from = data.get("valid_from")
    if isinstance(valid_from, str):
        try:
            valid_from = dt.date.fromisoformat(valid_from)
        except ValueError:
            valid_from = None
    if isinstance(valid_from, dt.datetime) or not isinstance(valid_from, dt.date):
        errors["valid_from"] = [_("Enter a date as YYYY-MM-DD.")]
    if errors:
        raise ValidationError(errors)
    assert rate is not None
    assert isinstance(valid_from, dt.date)
    return currency, rate, valid_from


def exchange_rate_set(*, actor: Any, data: Mapping[str, Any]) -> ExchangeRate:
    """Create the rate of ``currency`` from ``valid_from``, or change it if one exists."""
    _require_manage(actor)
    currency, rate, valid_from = _clean_rate(data)
    with transaction.atomic():
        existing = (
            ExchangeRate.objects.select_for_update()
            .filter(currency=currency, valid_from=valid_from)
            .first()
        )
        if existing is not None:
            before = audit.snapshot(existing)
            existing.rate = rate
            existing.save()
            audit.record_update(existing, actor, before)
            existing.refresh_from_db()
            return existing
        try:
            with transaction.atomic():
                obj = ExchangeRate.objects.create(
                    currency=currency, rate=rate, valid_from=valid_from
                )
        except IntegrityError as exc:  # a concurrent create of the same date
            raise ValidationError(
                {"valid_from": [_("A rate for this currency and date already exists.")]}
            ) from exc
        audit.record_create(obj, actor)
    obj.refresh_from_db()
    return obj


def exchange_rate_delete(*, actor: Any, rate: ExchangeRate) -> None:
    _require_manage(actor)
    with transaction.atomic():
        audit.record_delete(rate, actor)
        rate.delete()


def exchange_rates_bulk_set(
    *, actor: Any, rows: Iterable[Mapping[str, Any]], batch: str = ""
) -> list[ExchangeRate]:
    """Several rates at once (demo data, imports): all or nothing, errors keyed ``rows.<i>``."""
    _require_manage(actor)
    cleaned = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        try:
            cleaned.append(_clean_rate(row))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"rows.{index}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    result = []
    with transaction.atomic(), audit.batch(batch or "bulk:exchange-rates"):
        for currency, rate, valid_from in cleaned:
            result.append(
                exchange_rate_set(
                    actor=actor,
                    data={"currency": currency, "rate": rate, "valid_from": valid_from},
                )
            )
    return result


__all__ = [
    "CENT",
    "MissingExchangeRate",
    "RateTable",
    "Total",
    "base_currency",
    "convert",
    "exchange_rate_delete",
    "exchange_rate_set",
    "exchange_rates_bulk_set",
    "round_money",
    "sum_converted",
]
