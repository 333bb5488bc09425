"""Settings shared by every Parvis deployment.

Everything lives here; values that vary between deployments come from the environment
(documented in `.env.example`). dev/test/prod only override what must differ.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("PARVIS_SECRET_KEY", default="")
DEBUG = env.bool("PARVIS_DEBUG", default=False)
ALLOWED_HOSTS = env.list("PARVIS_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("PARVIS_CSRF_TRUSTED_ORIGINS", default=[])
# Demo mode seeds and prints demo credentials; it must never be on in production.
PARVIS_DEMO = env.bool("PARVIS_DEMO", default=False)
PARVIS_SITE_URL = env("PARVIS_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "huey.contrib.djhuey",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "parvis.core",
    "parvis.territories",
    "parvis.accounts",
    "parvis.privacy",
    "parvis.reports",
    "parvis.sensors",
    "parvis.participation",
    "parvis.budgets",
    "parvis.notifications",
    "parvis.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parvis.accounts.middleware.StaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "parvis.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parvis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parvis.core.context_processors.platform",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; PARVIS_DATABASE_URL=postgres://... in production.
DATABASES = {
    "default": env.db_url(
        "PARVIS_DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'parvis.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("PARVIS_DB_PREPARED_STATEMENTS", default=True):
        # Parameters sent apart from the SQL, and a statement a connection runs often prepared
        # once: PostgreSQL then neither parses nor plans it again (bench/reports: pages built
        # for one visitor 15-25% more requests/s). Switch off behind a pooler in transaction
        # mode that drops prepared statements (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
# Connections are kept by each worker thread between requests: opening one costs ~2 ms on
# SQLite (schema and planner statistics read again) and more on PostgreSQL (TLS, auth).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("PARVIS_DB_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_settings(default_url: str) -> dict:
    """The Django cache of PARVIS_CACHE_URL; the per-process default is bounded by memory
    rather than by Django's 300 entries, which a visitor browsing a few hundred reports
    empties for everyone (parvis.core.cache_backends)."""
    cache = env.cache_url("PARVIS_CACHE_URL", default=default_url)
    if cache["BACKEND"].endswith("LocMemCache"):
        cache["BACKEND"] = "parvis.core.cache_backends.BoundedLocMemCache"
        cache.setdefault("OPTIONS", {}).update(
            MAX_ENTRIES=env.int("PARVIS_CACHE_MAX_ENTRIES", default=20_000),
            MAX_BYTES=env.int("PARVIS_CACHE_MAX_MB", default=64) * 1024 * 1024,
        )
    return {"default": cache}


CACHES = cache_settings("locmemcache://parvis")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:home"

# --- django-allauth: email login, verification, MFA, brute-force limits ---------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("PARVIS_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parvis] "
# Brute force: after 5 failed logins for one account, that account is locked for 15 minutes
# whatever the IP; a single IP is limited across accounts too.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,5/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Behind N reverse proxies, the client IP (for per-IP login limits) is read from X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("PARVIS_TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = env("PARVIS_MFA_ISSUER", default="Parvis")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("PARVIS_WEBAUTHN_INSECURE_ORIGIN", default=False)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# FranceConnect (residents) and ProConnect (agents) are OpenID Connect providers: configuration,
# not code. Each is enabled by setting its client id.
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
for _provider_id, _name, _prefix in (
    ("franceconnect", "FranceConnect", "PARVIS_FRANCECONNECT"),
    ("proconnect", "ProConnect", "PARVIS_PROCONNECT"),
):
    if env(f"{_prefix}_CLIENT_ID", default=""):
        SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
            {
                "provider_id": _provider_id,
                "name": _name,
                "client_id": env(f"{_prefix}_CLIENT_ID"),
                "secret": env(f"{_prefix}_CLIENT_SECRET"),
                "settings": {"server_url": env(f"{_prefix}_SERVER_URL")},
            }
        )

EMAIL_BACKEND = env(
    "PARVIS_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("PARVIS_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("PARVIS_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("PARVIS_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("PARVIS_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("PARVIS_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("PARVIS_DEFAULT_FROM_EMAIL", default="Parvis <noreply@parvis.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS delivery: a class with send(*, phone, text); the console backend only logs.
PARVIS_SMS_BACKEND = env(
    "PARVIS_SMS_BACKEND", default="parvis.notifications.backends.ConsoleSMSBackend"
)

# --- Internationalisation: French first, English second --------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parvis" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "parvis_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media: everything served by the platform, nothing from a CDN ----------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("PARVIS_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "parvis" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("PARVIS_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security (tightened further in prod.py) -----------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background work: huey, embedded SQLite queue by default, Redis in production ------
PARVIS_TASK_BACKEND = env("PARVIS_TASK_BACKEND", default="sqlite")
if PARVIS_TASK_BACKEND == "redis":
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": env("PARVIS_TASK_QUEUE", default="parvis"),
        "url": env("PARVIS_REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "immediate": False,
        "results": True,
        "store_none": False,
        "consumer": {"workers": env.int("PARVIS_WORKERS", default=4), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "parvis",
        "filename": str(env.path("PARVIS_TASK_DB", default=BASE_DIR / "var" / "tasks.sqlite3")),
        "immediate": False,
        "results": True,
        "store_none": False,
        "consumer": {"workers": env.int("PARVIS_WORKERS", default=2), "worker_type": "thread"},
    }

# --- Maps: Leaflet is served by the platform; tiles only if a deployment configures a server
# (e.g. its own, or IGN's Géoplateforme). Without tiles, maps show districts and points only.
PARVIS_MAP_TILES_URL = env("PARVIS_MAP_TILES_URL", default="")
PARVIS_MAP_ATTRIBUTION = env("PARVIS_MAP_ATTRIBUTION", default="")

# --- MQTT (device ingestion; used from the sensors issue on) -------------------------
PARVIS_MQTT_HOST = env("PARVIS_MQTT_HOST", default="127.0.0.1")
PARVIS_MQTT_PORT = env.int("PARVIS_MQTT_PORT", default=1883)
PARVIS_MQTT_USERNAME = env("PARVIS_MQTT_USERNAME", default="")
PARVIS_MQTT_PASSWORD = env("PARVIS_MQTT_PASSWORD", default="")

# --- Privacy ----------------------------------------------------------------------
# Key for keyed pseudonyms (HMAC); rotated by adding a new key in front.
PARVIS_PSEUDONYM_KEYS = env.list("PARVIS_PSEUDONYM_KEYS", default=[])
# Audit entries are kept this many days (CNIL recommends 6 months to 1 year for access logs).
PARVIS_AUDIT_RETENTION_DAYS = env.int("PARVIS_AUDIT_RETENTION_DAYS", default=365)

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("PARVIS_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "INFO"},
    },
}
