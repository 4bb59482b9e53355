"""Reading ACCORD_* environment variables.

Every knob of Accord is an environment variable named ``ACCORD_<NAME>``; this module is the
only place that reads them, so `.env.example` and the README can list them all.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """An ACCORD_* variable has a value Accord cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(f"ACCORD_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(f"ACCORD_{name}")
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ConfigError(f"ACCORD_{name}={raw!r}: expected one of true/false, 1/0, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"ACCORD_{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"ACCORD_{name}={raw!r}: expected a whole number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(f"ACCORD_{name}")
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The data directory: SQLite database, uploads, generated secret key, backups."""
    path = Path(env_str("DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """ACCORD_SECRET_KEY, or a key generated once and kept in the data directory."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Write atomically with owner-only permissions; if two processes race, the first wins.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
