"""Rate limiting: 429 with Retry-After, RateLimit-* headers, per token, shared cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from tests.api.conftest import ApiFor

from accord.accounts.models import User
from accord.core.api.ratelimit import hit
from accord.core.api.testing import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

# Windows of an hour, and no test starts in the last 15 seconds of one: the counts of a test
# never straddle two windows.
WINDOW = 3600


@pytest.fixture(autouse=True)
def _one_window() -> Iterator[None]:
    left = WINDOW - time.time() % WINDOW
    if left < 15:
        time.sleep(left + 0.1)
    with override_settings(ACCORD_API_RATE_WINDOW=WINDOW):
        yield


@override_settings(ACCORD_API_RATE_LIMIT=3)
def test_fourth_request_in_a_minute_is_429(api: ApiClient) -> None:
    remaining = []
    for _ in range(3):
        response = api.get("/api/v1/me")
        assert response.status_code == 200
        assert response["RateLimit-Limit"] == "3"
        assert response["RateLimit-Policy"] == "3;w=3600"
        assert 1 <= int(response["RateLimit-Reset"]) <= WINDOW
        remaining.append(response["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]

    response = api.get("/api/v1/me")
    problem = assert_problem(response, 429, slug="rate-limited")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= WINDOW
    assert response["RateLimit-Remaining"] == "0"
    assert problem["detail"] == f"Rate limit exceeded; retry in {retry_after} seconds."


@override_settings(ACCORD_API_RATE_LIMIT=2)
def test_limit_is_per_token(api_for: ApiFor, user: User, manager: User) -> None:
    first, second = api_for(user), api_for(user)
    other = api_for(manager)
    for _ in range(2):
        assert first.get("/api/v1/me").status_code == 200
    assert first.get("/api/v1/me").status_code == 429
    assert second.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 200


@override_settings(ACCORD_API_RATE_LIMIT=2)
def test_sessions_are_limited_per_user(user: User) -> None:
    client = ApiClient(session_user=user)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert_problem(client.get("/api/v1/me"), 429)
    # A second browser of the same user shares the count.
    assert_problem(ApiClient(session_user=user).get("/api/v1/me"), 429)


@override_settings(ACCORD_API_RATE_LIMIT=1)
def test_writes_over_the_limit_change_nothing(api: ApiClient, user: User) -> None:
    assert api.get("/api/v1/me").status_code == 200
    assert_problem(api.patch("/api/v1/me", {"full_name": "Changed"}), 429)
    user.refresh_from_db()
    assert user.full_name == "Riley Rep"


@override_settings(ACCORD_API_RATE_LIMIT=0)
def test_zero_switches_the_limit_off(api: ApiClient) -> None:
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert "RateLimit-Limit" not in response


def test_hit_counts_in_fixed_windows() -> None:
    now = 1_000_000.0  # a window boundary for window=50: 1_000_000 / 50 = 20_000
    states = [hit("k", limit=2, window=50, now=now + 10) for _ in range(3)]
    assert [s.remaining for s in states] == [1, 0, -1]
    assert [s.exceeded for s in states] == [False, False, True]
    assert states[0].reset_after == 40
    fresh = hit("k", limit=2, window=50, now=now + 50)  # the next window
    assert fresh.remaining == 1
    assert fresh.reset_after == 50


def _expires(key: str) -> object:
    cache = caches["default"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM accord_cache WHERE cache_key = %s", [cache.make_key(key)]
        )
        return cursor.fetchone()[0]


database_cache = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"),
    reason="ACCORD_CACHE_URL selects another cache than the database",
)


@database_cache
def test_database_cache_incr_counts_and_keeps_expiry() -> None:
    cache = caches["default"]
    assert type(cache).__module__ == "accord.core.api.cache"  # the default CACHES backend
    assert cache.add("counter", 0, timeout=100)
    expires = _expires("counter")
    assert cache.incr("counter") == 1
    assert cache.incr("counter", 5) == 6
    assert cache.get("counter") == 6
    assert _expires("counter") == expires
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")


@database_cache
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database cannot be shared by threads; "
    "SQLite serialises writers with BEGIN IMMEDIATE",
)
def test_database_cache_incr_loses_no_count_under_concurrency() -> None:
    cache = caches["default"]
    cache.set("shared", 0, timeout=300)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                cache.incr("shared")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.get("shared") == 200
    cache.clear()


@database_cache
def test_migrate_creates_the_cache_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE accord_cache")
    assert "accord_cache" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert "accord_cache" in connection.introspection.table_names()
    cache = caches["default"]
    cache.set("after-migrate", 1)
    assert cache.get("after-migrate") == 1
