"""Template tags of the Accord shell: ``{% load accord %}``.

- ``{% icon "users" %}``: an inline Lucide icon (unknown names fall back to a circle).
- ``{{ amount|money:"EUR" }}`` / ``{% money amount "EUR" %}``: a currency amount in the
  active locale (``1.234,50 €`` in German, ``€1,234.50`` in English).
- ``{{ value|number }}``: a number with the active locale's grouping and decimal sign.
- ``{{ user|initials }}``: two letters for an avatar.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

import lucide
from babel.core import Locale, UnknownLocaleError
from babel.numbers import UnknownCurrencyError, format_currency, format_decimal
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale

register = template.Library()


@functools.lru_cache(maxsize=512)
def _icon_markup(name: str, size: int) -> str:
    try:
        markup = lucide._render_icon(name, size, **{"class": "icon", "aria-hidden": "true"})
    except lucide.IconDoesNotExist:
        markup = lucide._render_icon("circle", size, **{"class": "icon", "aria-hidden": "true"})
    return markup


@register.simple_tag
def icon(name: str, size: int = 16) -> SafeString:
    """Inline SVG of the Lucide icon ``name`` (see lucide.dev for names)."""
    return mark_safe(_icon_markup(str(name), int(size)))


def _babel_locale() -> Locale:
    language = get_language() or "en"
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_money(amount: Any, currency: str) -> str:
    """``amount`` in ``currency`` formatted for the active language; "" for no amount."""
    value = _decimal(amount)
    if value is None:
        return ""
    code = (currency or "").upper()
    try:
        return format_currency(value, code, locale=_babel_locale())
    except UnknownCurrencyError:
        return f"{format_decimal(value, locale=_babel_locale())} {code}".strip()


@register.filter(name="money")
def money_filter(amount: Any, currency: str) -> str:
    return format_money(amount, currency)


@register.simple_tag(name="money")
def money_tag(amount: Any, currency: str) -> str:
    return format_money(amount, currency)


@register.filter
def number(value: Any, decimals: int | None = None) -> str:
    """A number with the active locale's grouping; ``decimals`` fixes the fraction digits."""
    parsed = _decimal(value)
    if parsed is None:
        return ""
    if decimals is None:
        return format_decimal(parsed, locale=_babel_locale())
    places = int(decimals)
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(parsed, format=pattern, locale=_babel_locale())


@register.filter
def initials(user: Any) -> str:
    name = (getattr(user, "full_name", "") or "").strip()
    if name:
        parts = name.split()
        letters = parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")
    else:
        letters = (getattr(user, "email", "") or "?")[:2]
    return letters.upper()


@register.simple_tag
def kbd(keys: str) -> SafeString:
    """Keyboard keys: ``{% kbd "g h" %}`` renders <kbd>g</kbd> <kbd>h</kbd>."""
    parts = [format_html("<kbd>{}</kbd>", key) for key in str(keys).split()]
    return mark_safe(" ".join(parts))
