"""Local development and the embedded demo (`make run`)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("PARVIS_DEBUG", default=True)
SECRET_KEY = env("PARVIS_SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
PARVIS_DEMO = env.bool("PARVIS_DEMO", default=True)
ACCOUNT_EMAIL_VERIFICATION = env("PARVIS_EMAIL_VERIFICATION", default="optional")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
