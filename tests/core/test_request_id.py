"""X-Request-ID: honoured or generated, returned, and in log records."""

from __future__ import annotations

import logging
import re

from django.test import Client

from accord.core.middleware import RequestIdLogFilter, current_request_id


def test_a_request_id_is_generated_when_missing(client: Client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_sane_incoming_request_id_is_honoured(client: Client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:42"})
    assert response["X-Request-ID"] == "lb-7f3a:42"


def test_an_unsafe_incoming_request_id_is_replaced(client: Client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\nInjected: yes"})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 129})
    assert too_long["X-Request-ID"] != "a" * 129


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert RequestIdLogFilter().filter(record) is True
    assert record.request_id == "-"  # type: ignore[attr-defined]
    assert current_request_id() == "-"
