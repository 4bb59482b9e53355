"""Every kind of API error is an RFC 9457 problem with per-field details."""

from __future__ import annotations

import logging

import pytest

from accord.core.api.testing import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

problem_api = pytest.mark.urls("tests.api.problem_urls")


@problem_api
def test_nested_validation_errors_have_dotted_paths() -> None:
    response = ApiClient().post(
        "/p/nested",
        {"name": "", "emails": [{"email": "a@b.c"}, {"email": "not an address", "kind": 3}]},
    )
    problem = assert_problem(response, 422, slug="validation-error")
    assert problem["title"] == "Validation failed"
    assert problem["instance"] == "/p/nested"
    assert problem["detail"] == "The request has 3 invalid fields."
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("name", "string_too_short"),
        ("emails.1.email", "string_pattern_mismatch"),
        ("emails.1.kind", "string_type"),
    ]
    assert all(e["message"] for e in problem["errors"])


@problem_api
def test_missing_body_field() -> None:
    problem = assert_problem(ApiClient().post("/p/nested", {}), 422, field="name")
    assert problem["errors"] == [{"field": "name", "message": "Field required", "code": "missing"}]


@problem_api
def test_query_parameter_errors_name_the_parameter() -> None:
    problem = assert_problem(ApiClient().get("/p/query", query={"limit": "many"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["limit"]
    problem = assert_problem(ApiClient().get("/p/query"), 422)
    assert problem["errors"][0]["field"] == "limit"
    assert problem["errors"][0]["code"] == "missing"


@problem_api
def test_unparseable_json_is_400() -> None:
    response = ApiClient().post("/p/nested", raw_body="{not json")
    problem = assert_problem(response, 400, slug="bad-request")
    assert problem["detail"] == "Cannot parse request body"


@problem_api
def test_django_validation_error_maps_message_dict() -> None:
    problem = assert_problem(ApiClient().get("/p/django-validation"), 422)
    assert problem["errors"] == [
        {"field": "name", "message": "Too short.", "code": "min_length"},
        {"field": None, "message": "Name and email clash.", "code": "clash"},
    ]


@problem_api
def test_django_validation_error_without_fields() -> None:
    problem = assert_problem(ApiClient().get("/p/django-validation-list"), 422)
    assert problem["errors"] == [
        {"field": None, "message": "Everything is wrong.", "code": "wrong"}
    ]


@problem_api
def test_permission_denied_is_403() -> None:
    problem = assert_problem(ApiClient().get("/p/denied"), 403, slug="permission-denied")
    assert problem["detail"] == "You may not do this."
    problem = assert_problem(ApiClient().get("/p/denied-problem"), 403)
    assert problem["detail"] == "Only managers may merge."


@problem_api
@pytest.mark.parametrize("path", ["/p/missing", "/p/does-not-exist"])
def test_not_found_is_404_without_internals(path: str) -> None:
    problem = assert_problem(ApiClient().get(path), 404, slug="not-found")
    assert problem["detail"] == "No such resource."


@problem_api
def test_conflict_is_409() -> None:
    problem = assert_problem(ApiClient().get("/p/conflict"), 409, slug="conflict")
    assert problem["detail"] == "The deal is already won."


@problem_api
def test_unhandled_exception_is_500_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="accord.api"):
        response = ApiClient().get("/p/crash")
    problem = assert_problem(response, 500, slug="server-error")
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert problem["detail"] == "An unexpected error occurred; it has been logged."
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


def test_unknown_api_url_is_404_problem() -> None:
    problem = assert_problem(ApiClient().get("/api/v1/no/such/thing"), 404)
    assert problem["instance"] == "/api/v1/no/such/thing"
    assert_problem(ApiClient().get("/api/v2/me"), 404)


def test_wrong_method_is_405_problem(api: ApiClient) -> None:
    response = api.put("/api/v1/me", {})
    problem = assert_problem(response, 405, slug="method-not-allowed")
    assert sorted(response["Allow"].split(", ")) == ["GET", "PATCH"]
    assert "GET" in problem["detail"]


def test_problem_body_keys(api: ApiClient) -> None:
    response = api.patch("/api/v1/me", {"theme": "neon"})
    assert set(response.json()) == {"type", "title", "status", "detail", "instance", "errors"}
