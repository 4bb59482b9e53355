"""A test-only API that raises each kind of error (used with ``pytest.mark.urls``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import path
from ninja import Field, NinjaAPI, Schema

from accord.accounts.models import User
from accord.core.api import problems

api = NinjaAPI(urls_namespace="problem-test")
problems.install(api)


class EmailIn(Schema):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    kind: str = "work"


class ContactIn(Schema):
    name: str = Field(min_length=1)
    emails: list[EmailIn] = []


@api.post("/nested")
def nested(request: HttpRequest, payload: ContactIn) -> dict:
    return {"ok": True}


@api.get("/query")
def query(request: HttpRequest, limit: int) -> dict:
    return {"limit": limit}


@api.get("/django-validation")
def django_validation(request: HttpRequest) -> dict:
    raise ValidationError(
        {
            "name": [ValidationError("Too short.", code="min_length")],
            "__all__": [ValidationError("Name and email clash.", code="clash")],
        }
    )


@api.get("/django-validation-list")
def django_validation_list(request: HttpRequest) -> dict:
    raise ValidationError("%(what)s is wrong.", params={"what": "Everything"}, code="wrong")


@api.get("/denied")
def denied(request: HttpRequest) -> dict:
    raise PermissionDenied


@api.get("/denied-problem")
def denied_problem(request: HttpRequest) -> dict:
    raise problems.PermissionDenied("Only managers may merge.")


@api.get("/missing")
def missing(request: HttpRequest) -> dict:
    raise Http404("internal detail")


@api.get("/does-not-exist")
def does_not_exist(request: HttpRequest) -> dict:
    User.objects.get(pk=-1)
    return {}


@api.get("/conflict")
def conflict(request: HttpRequest) -> dict:
    raise problems.Conflict("The deal is already won.")


@api.get("/crash")
def crash(request: HttpRequest) -> dict:
    raise RuntimeError("secret internals")


urlpatterns = [path("p/", api.urls)]
