"""Test settings: SQLite by default, PostgreSQL when PARVIS_DATABASE_URL says so (CI)."""

from .base import *  # noqa: F403
from .base import HUEY, cache_settings

SECRET_KEY = "test-only-not-secret-" + "x" * 40
DEBUG = False
PARVIS_DEMO = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run synchronously in tests, through the same huey code path.
HUEY = {**HUEY, "immediate": True}
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
PARVIS_PSEUDONYM_KEYS = ["test-key-1"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = cache_settings("locmemcache://parvis-test")
WHITENOISE_AUTOREFRESH = True
