"""Django settings for the test suite (``DJANGO_SETTINGS_MODULE=tests.settings``).

Before ``accord.settings`` is read this module:

- points ``ACCORD_DATA_DIR`` at a fresh temporary directory (removed at exit), so tests never
  touch the developer's ``./var`` (database, uploads, secret key);
- selects the database: PostgreSQL when ``ACCORD_TEST_DATABASE_URL`` is set (Django creates
  and drops ``test_<name>`` on that server; with pytest-xdist one per worker), else SQLite
  (an in-memory test database);
- drops ``ACCORD_*`` variables that would make the run depend on the developer's shell
  (HTTPS, hosts, secret key, database location).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_DEPLOYMENT_VARIABLES = (
    "ACCORD_DATA_DIR",
    "ACCORD_DATABASE_URL",
    "ACCORD_SQLITE_PATH",
    "ACCORD_SECRET_KEY",
    "ACCORD_DEBUG",
    "ACCORD_SECURE",
    "ACCORD_BEHIND_PROXY",
    "ACCORD_NO_SSL_REDIRECT",
    "ACCORD_ALLOWED_HOSTS",
    "ACCORD_CSRF_TRUSTED_ORIGINS",
    "ACCORD_BASE_URL",
    "ACCORD_EMAIL_BACKEND",
)
for _name in _DEPLOYMENT_VARIABLES:
    os.environ.pop(_name, None)

TEST_DATA_DIR = tempfile.mkdtemp(prefix="accord-test-")
atexit.register(shutil.rmtree, TEST_DATA_DIR, ignore_errors=True)
os.environ["ACCORD_DATA_DIR"] = TEST_DATA_DIR
os.makedirs(os.path.join(TEST_DATA_DIR, "static"))  # WhiteNoise warns when STATIC_ROOT is missing

TEST_DATABASE_URL = os.environ.get("ACCORD_TEST_DATABASE_URL", "").strip()
if TEST_DATABASE_URL:
    os.environ["ACCORD_DATABASE_URL"] = TEST_DATABASE_URL

from accord.settings import *  # noqa: E402, F403
from accord.settings import ALLOWED_HOSTS  # noqa: E402

# Django's test client talks to "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Hashing with Argon2 costs ~50 ms per password; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
