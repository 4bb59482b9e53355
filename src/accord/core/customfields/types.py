"""Per-type cleaning: any reasonable input (API JSON, form data, a CSV cell) to the canonical
JSON value stored in ``record.custom``.

Canonical values (chosen so SQL comparison and sorting work on SQLite and PostgreSQL):

=============  =========================================================
text           str (stripped, at most 255 characters)
long_text      str (at most 10,000 characters)
number         JSON number (int when integral, else float)
decimal        str with the decimal digits as given: ``"1234.50"``
currency       ``{"amount": "1234.50", "currency": "EUR"}``
date           ``"2025-03-31"``
datetime       ``"2025-03-31T14:05:00Z"`` (UTC, whole seconds: fixed width, sorts as text)
boolean        true / false
single_select  the option value (str)
multi_select   list of option values, in the order of the options
url            str (``https://`` added when no scheme is given)
email          str, lower-cased
phone          str in E.164 (``+4930123456``)
=============  =========================================================

``None``, ``""``, whitespace and empty lists mean "no value".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext

from accord.core.customfields.models import FieldType

if TYPE_CHECKING:
    from accord.core.customfields.models import CustomFieldDefinition

TEXT_MAX = 255
LONG_TEXT_MAX = 10_000
URL_MAX = 2000
EMAIL_MAX = 254
DECIMAL_MAX_PLACES = 10
DECIMAL_MAX_ABS = Decimal("1e18")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "f"})
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_MONEY_RE = re.compile(
    r"^\s*(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<amount>[-+]?[\d.,]+)\s*(?:(?P<post>[A-Za-z]{3}))?\s*$"
)


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, list | tuple | set | frozenset | dict) and len(value) == 0


def _invalid(message: str, code: str = "invalid", **params: Any) -> ValidationError:
    return ValidationError(message % params if params else message, code=code)


def _text(value: Any, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _invalid(gettext("Enter text."))
    text = str(value).strip()
    if len(text) > limit:
        raise _invalid(
            gettext("Enter at most %(limit)d characters (it has %(length)d)."),
            "max_length",
            limit=limit,
            length=len(text),
        )
    return text


def clean_text(definition: CustomFieldDefinition, value: Any) -> str:
    return _text(value, TEXT_MAX)


def clean_long_text(definition: CustomFieldDefinition, value: Any) -> str:
    return _text(value, LONG_TEXT_MAX)


def to_decimal(value: Any) -> Decimal:
    """Parse a number from JSON, a form or a CSV cell; raises ValidationError."""
    if isinstance(value, bool):
        raise _invalid(gettext("Enter a number."))
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = value.strip().replace("_", "")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(gettext("Enter a number.")) from None
    if not number.is_finite():
        raise _invalid(gettext("Enter a number."))
    if abs(number) >= DECIMAL_MAX_ABS:
        raise _invalid(gettext("Enter a number smaller than 10^18."), "max_value")
    return number


def clean_number(definition: CustomFieldDefinition, value: Any) -> int | float:
    number = to_decimal(value)
    if number == number.to_integral_value():
        return int(number)
    result = float(number)
    if not math.isfinite(result):
        raise _invalid(gettext("Enter a number."))
    return result


def clean_decimal(definition: CustomFieldDefinition, value: Any) -> str:
    number = to_decimal(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMAL_MAX_PLACES:
        raise _invalid(
            gettext("Enter at most %(places)d decimal places."),
            "max_decimal_places",
            places=DECIMAL_MAX_PLACES,
        )
    return format(number, "f")


def default_currency(definition: CustomFieldDefinition) -> str:
    return definition.currency or str(getattr(settings, "ACCORD_DEFAULT_CURRENCY", "USD"))


def clean_currency(definition: CustomFieldDefinition, value: Any) -> dict[str, str]:
    currency = default_currency(definition)
    amount: Any = value
    if isinstance(value, dict):
        unknown = set(value) - {"amount", "currency"}
        if unknown or "amount" not in value:
            raise _invalid(gettext('Enter {"amount": "12.50", "currency": "EUR"}.'))
        amount = value["amount"]
        currency = str(value.get("currency") or currency).strip().upper()
    elif isinstance(value, str):
        match = _MONEY_RE.match(value)
        if match is None:
            raise _invalid(gettext("Enter an amount, optionally with a currency code."))
        amount = match["amount"].replace(",", "")
        code = match["pre"] or match["post"]
        if code:
            currency = code.upper()
    if not CURRENCY_RE.match(currency):
        raise _invalid(gettext("Enter a three-letter currency code (ISO 4217)."), "currency")
    number = to_decimal(amount)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > 4:
        raise _invalid(gettext("Enter at most 4 decimal places."), "max_decimal_places")
    return {"amount": format(number, "f"), "currency": currency}


def clean_date(definition: CustomFieldDefinition, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _invalid(gettext("Enter a date as YYYY-MM-DD."))


def clean_datetime(definition: CustomFieldDefinition, value: Any) -> str:
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise _invalid(gettext("Enter a date and time as YYYY-MM-DDTHH:MM with a UTC offset."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_boolean(definition: CustomFieldDefinition, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise _invalid(gettext("Enter true or false."))


def _option(definition: CustomFieldDefinition, value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise _invalid(gettext("Select a valid choice."), "invalid_choice")
    wanted = str(value).strip()
    options = definition.options or []
    for option in options:
        if str(option["value"]) == wanted:
            return str(option["value"])
    folded = wanted.casefold()
    for option in options:
        if folded in (str(option["value"]).casefold(), str(option.get("label", "")).casefold()):
            return str(option["value"])
    raise _invalid(
        gettext("Select a valid choice: %(value)s is not one of the options."),
        "invalid_choice",
        value=wanted,
    )


def clean_single_select(definition: CustomFieldDefinition, value: Any) -> str:
    return _option(definition, value)


def clean_multi_select(definition: CustomFieldDefinition, value: Any) -> list[str]:
    if isinstance(value, str):
        items: list[Any] = [item for item in value.split(",") if item.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise _invalid(gettext("Enter a list of options."), "invalid_choice")
    chosen = {_option(definition, item) for item in items}
    return [v for v in definition.option_values() if v in chosen]


_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()


def clean_url(definition: CustomFieldDefinition, value: Any) -> str:
    url = _text(value, URL_MAX)
    if "://" not in url:
        url = f"https://{url}"
    try:
        _url_validator(url)
    except ValidationError:
        raise _invalid(gettext("Enter a valid URL.")) from None
    return url


def clean_email(definition: CustomFieldDefinition, value: Any) -> str:
    email = _text(value, EMAIL_MAX).lower()
    try:
        _email_validator(email)
    except ValidationError:
        raise _invalid(gettext("Enter a valid email address.")) from None
    return email


def clean_phone(definition: CustomFieldDefinition, value: Any) -> str:
    text = _text(value, 64)
    region = getattr(settings, "ACCORD_PHONE_REGION", None) or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise _invalid(
            gettext("Enter a phone number in international format, like +49 30 1234567.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


CLEANERS: dict[str, Callable[[CustomFieldDefinition, Any], Any]] = {
    FieldType.TEXT: clean_text,
    FieldType.LONG_TEXT: clean_long_text,
    FieldType.NUMBER: clean_number,
    FieldType.DECIMAL: clean_decimal,
    FieldType.CURRENCY: clean_currency,
    FieldType.DATE: clean_date,
    FieldType.DATETIME: clean_datetime,
    FieldType.BOOLEAN: clean_boolean,
    FieldType.SINGLE_SELECT: clean_single_select,
    FieldType.MULTI_SELECT: clean_multi_select,
    FieldType.URL: clean_url,
    FieldType.EMAIL: clean_email,
    FieldType.PHONE: clean_phone,
}


def clean_value(definition: CustomFieldDefinition, value: Any) -> Any:
    """The canonical value of ``value`` for ``definition``, or None for "no value".

    Raises a ValidationError with a message (not keyed; callers key it ``custom.<key>``).
    """
    if is_empty(value):
        return None
    return CLEANERS[definition.field_type](definition, value)
