"""Production: every secret and host from the environment, HTTPS everywhere."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("PARVIS_SECRET_KEY")
ALLOWED_HOSTS = env.list("PARVIS_ALLOWED_HOSTS")
PARVIS_DEMO = env.bool("PARVIS_DEMO", default=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("PARVIS_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("PARVIS_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# __Host- cookies: only sent over HTTPS, never shared with sub-domains.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-parvis_session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-parvis_csrf"
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
