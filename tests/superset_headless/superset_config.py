"""Superset configuration for the headless check (tests/superset_headless): SQLite metadata in a
temporary file, no server, no cache, no Celery. SUPERSET_CONFIG_PATH points here; the test sets
WORKBENCH_SUPERSET_METADATA to its own file."""

import os
import secrets

SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.environ["WORKBENCH_SUPERSET_METADATA"]
# A fresh metadata file per run, so nothing encrypted with this key outlives it.
SECRET_KEY = secrets.token_urlsafe(32)
# The Flask test client sends no CSRF token and no browser headers.
WTF_CSRF_ENABLED = False
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
# Every chart query reaches DuckDB (a cached answer would not test the connection).
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
