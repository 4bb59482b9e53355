"""Schema and interactive docs: served locally, and the checked-in schema is current."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from accord.api.management.commands.openapi import openapi_schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == openapi_schema_text(), (
        "docs/openapi.json is stale: run `accord openapi -o docs/openapi.json` and commit it"
    )


@pytest.mark.django_db
def test_schema_is_served_publicly() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["title"] == "Accord API"
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{prefix}"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    errors = schema["paths"]["/api/v1/me"]["patch"]["responses"]["412"]["content"]
    assert list(errors) == ["application/problem+json"]


@pytest.mark.django_db
@override_settings(STORAGES=PLAIN_STATIC)
def test_docs_page_uses_only_local_files() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert "/static/ninja/swagger-ui.css" in urls
    assert all(url.startswith("/static/") for url in urls), urls
    assert "//" not in "".join(urls)
    assert "cdn" not in html.lower()
    settings_json = re.search(
        r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S
    )
    assert settings_json is not None
    assert json.loads(settings_json.group(1))["url"] == "/api/v1/openapi.json"


def test_bundled_swagger_files_exist() -> None:
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name


@pytest.mark.django_db
def test_openapi_command_check(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    call_command("openapi", "-o", str(target), stdout=StringIO())
    assert target.read_text(encoding="utf-8") == openapi_schema_text()
    out = StringIO()
    call_command("openapi", "-o", str(target), "--check", stdout=out)
    assert out.getvalue().strip() == f"{target} is current."
    target.write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        call_command("openapi", "-o", str(target), "--check", stdout=StringIO(), stderr=StringIO())
    assert info.value.code == 1


def test_schema_has_no_duplicate_keys() -> None:
    """Swagger UI parses the schema as YAML and refuses duplicated keys (for example a
    response status given once as the integer 200 and once as the string "200")."""

    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        assert not duplicates, f"duplicated keys in the OpenAPI schema: {duplicates}"
        return dict(pairs)

    json.loads(openapi_schema_text(), object_pairs_hook=unique)
