"""Locale-aware money and numbers, icons, initials."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from accord.web.templatetags.accord import format_money, icon, initials, number


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,234.50"), ("de", "1.234,50\xa0€"), ("fr", "1\u202f234,50\xa0€")],
)
def test_money_follows_active_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert format_money(Decimal("1234.5"), "EUR") == expected


def test_money_handles_empty_and_unknown_currency() -> None:
    with translation.override("en"):
        assert format_money(None, "EUR") == ""
        assert format_money("abc", "EUR") == ""
        assert format_money("10", "usd") == "$10.00"


def test_money_tag_and_filter_in_templates() -> None:
    template = Template('{% load accord %}{% money amount "USD" %}|{{ amount|money:"JPY" }}')
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("1999.99")})) == "$1,999.99|¥2,000"


def test_number_groups_digits_for_the_locale() -> None:
    with translation.override("de"):
        assert number(1234567) == "1.234.567"
        assert number("1234.5", 2) == "1.234,50"
    with translation.override("en"):
        assert number(1234567) == "1,234,567"
        assert number(None) == ""


def test_icon_inlines_svg_and_falls_back() -> None:
    svg = icon("bell", 18)
    assert svg.startswith("<svg ")
    assert 'class="icon"' in svg
    assert 'width="18"' in svg
    assert 'aria-hidden="true"' in svg
    assert icon("no-such-icon") == icon("circle")


class _Person:
    def __init__(self, full_name: str, email: str) -> None:
        self.full_name = full_name
        self.email = email


def test_initials() -> None:
    assert initials(_Person("Ada Byron Lovelace", "ada@example.com")) == "AL"
    assert initials(_Person("Cher", "cher@example.com")) == "C"
    assert initials(_Person("", "zed@example.com")) == "ZE"
