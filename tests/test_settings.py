"""Configuration from ACCORD_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from tests.processes import run_accord, sqlite_pass_only

from accord import config


def test_tests_use_a_temporary_data_directory():
    assert Path(settings.DATA_DIR).name.startswith("accord-test-")
    assert Path(settings.DATA_DIR).resolve() != (Path.cwd() / "var").resolve()
    assert Path(settings.MEDIA_ROOT).is_relative_to(settings.DATA_DIR)


def test_secret_key_is_generated_once_into_the_data_dir_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("ACCORD_SECRET_KEY", raising=False)
    key = config.secret_key(tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == key
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert config.secret_key(tmp_path) == key


def test_configured_secret_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ACCORD_SECRET_KEY", "configured-key")
    assert config.secret_key(tmp_path) == "configured-key"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("On", True), ("no", False), ("", False)]
)
def test_booleans(raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ACCORD_SOME_FLAG", raw)
    assert config.env_bool("SOME_FLAG") is expected


def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ACCORD_DEBUG", "maybe")
    with pytest.raises(config.ConfigError) as error:
        config.env_bool("DEBUG")
    assert str(error.value) == (
        "ACCORD_DEBUG='maybe': expected one of true/false, 1/0, yes/no, on/off"
    )


@sqlite_pass_only
def test_the_accord_command_reports_a_bad_variable_without_a_traceback(tmp_path: Path):
    completed = run_accord(tmp_path, "check", ACCORD_SECURE="sometimes")
    assert completed.returncode == 2
    assert completed.stderr == (
        "accord: configuration error: ACCORD_SECURE='sometimes': "
        "expected one of true/false, 1/0, yes/no, on/off\n"
    )


@sqlite_pass_only
def test_a_bad_log_format_is_refused(tmp_path: Path):
    completed = run_accord(tmp_path, "check", ACCORD_LOG_FORMAT="xml")
    assert completed.returncode == 2
    assert "ACCORD_LOG_FORMAT='xml': expected text or json" in completed.stderr


@sqlite_pass_only
def test_production_settings_pass_the_deploy_checks(tmp_path: Path):
    completed = run_accord(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ACCORD_SECURE="true",
        ACCORD_DEBUG="false",
        ACCORD_ALLOWED_HOSTS="crm.example.com",
        ACCORD_SECRET_KEY="kq3v9-Zt7pXw2Lr8sN4bYc6Hd1Fg5Jm0Qe-Ua7Vi3Ko9Tn2Rl8Wx4Sy6Bz1Cf5",
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@sqlite_pass_only
def test_secure_mode_turns_on_https_only_cookies_and_hsts(tmp_path: Path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    completed = run_accord(
        tmp_path, "shell", "-v0", "-c", code, ACCORD_SECURE="true", ACCORD_BEHIND_PROXY="true"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    )
