"""/healthz and /readyz."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client: Client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_rejects_writes(client: Client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_checks_database_and_queue(client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_queue_when_its_table_is_gone(client: Client):
    # Inside the test's transaction: rolled back afterwards.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {connection.ops.quote_name(DBTaskResult._meta.db_table)}")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["queue"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["queue"].startswith("failed")


@pytest.mark.django_db
def test_health_endpoints_need_no_login_and_skip_the_https_redirect(client: Client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    # Other pages are redirected to HTTPS.
    assert client.get("/accounts/login/").status_code == 301
