"""Settings of the embedded default, read from environment variables.

With no variable set, the platform runs on SQLite with Celery tasks executed in-process,
e-mail printed to the console, French first and the Europe/Paris time zone.
`DATABASE_URL` switches to PostgreSQL, `CELERY_BROKER_URL` to real workers.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The embedded default is a developer's or a small association's machine. The production
# module refuses to start without its own secret.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "embedded-default-not-for-production")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Demo logins are only ever created where this is true (never in production settings).
DEMO_DATA_ALLOWED = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "logistics",
    "producers",
    "orders",
    "supply",
    "accounting",
    "notifications",
    "dashboards",
    "ssa",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ScreensInFrenchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads of the dev server write at once: take the write lock when a transaction
    # begins (so two read-then-write transactions queue instead of failing) and wait for it.
    # WAL: readers never wait for the writer (`make run` writes the demo's history while the
    # site is served).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The SMTP server, for the production default or EMAIL_BACKEND=...smtp.EmailBackend here.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that does not answer fails the send (retried by the outbox), not the worker.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# The platform as the seller on its invoices (DESIGN.md §12, French invoicing rules).
PLATFORM_LEGAL_NAME = os.environ.get("PLATFORM_LEGAL_NAME", "Appro Solidaire SCIC")
PLATFORM_ADDRESS = os.environ.get("PLATFORM_ADDRESS", "MIN de Lomme, 1 rue du Marché, 59160 Lomme")
PLATFORM_SIRET = os.environ.get("PLATFORM_SIRET", "00000000000000")
PLATFORM_VAT_NUMBER = os.environ.get("PLATFORM_VAT_NUMBER", "FR00000000000")
PLATFORM_IBAN = os.environ.get("PLATFORM_IBAN", "FR76 0000 0000 0000 0000 0000 000")
# Invoices are due this many days after issue.
INVOICE_PAYMENT_DAYS = int(os.environ.get("INVOICE_PAYMENT_DAYS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Appro Solidaire <noreply@localhost>")
# The address of the site as people reach it: the links in e-mails (DESIGN.md §11).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# An invitation's or a reset's link is valid this long, once (Django's token).
PASSWORD_RESET_TIMEOUT = 72 * 3600

# Bodies above this size are refused with the contract's 400 body before being parsed.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(256 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Files sent to the import endpoints (bank statements): a year of a bank's CAMT.053 is ~2 MB.
API_MAX_UPLOAD_BYTES = int(os.environ.get("API_MAX_UPLOAD_BYTES", str(10 * 2**20)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.MemberTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The token endpoint is throttled (per client address): it is the one that guesses
    # passwords; the lockout (core/lockout.py) covers a username tried from many addresses.
    # The password reset too: it sends e-mails.
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("TOKEN_THROTTLE_RATE", "30/min"),
        "password_reset": os.environ.get("PASSWORD_RESET_THROTTLE_RATE", "10/hour"),
    },
    # The client address is REMOTE_ADDR, or the one written into X-Forwarded-For by the last
    # of TRUSTED_PROXIES reverse proxies: a header sent by the client itself is never trusted.
    "NUM_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Appro Solidaire API",
    "DESCRIPTION": (
        "Contrat REST public v1 de la plateforme Appro Solidaire (Lille, Lomme, Hellemmes)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI's badge otherwise sends the schema's URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "core.choices.OrganisationKind",
        "FunderKindEnum": "accounting.choices.FunderKind",
        "ZoneKindEnum": "logistics.choices.ZoneKind",
        "StopKindEnum": "logistics.choices.StopKind",
        "RoundKindEnum": "logistics.choices.RoundKind",
        "CycleStatusEnum": "supply.choices.CycleStatus",
        "OrderStatusEnum": "orders.choices.OrderStatus",
        "TaskStateEnum": "core.models.TaskState",
        "NotificationKindEnum": "notifications.choices.Kind",
        "NotificationStatusEnum": "notifications.choices.Status",
        "CategoryEnum": "producers.choices.Category",
    },
}

# Celery: without a broker, tasks run in-process (the embedded default).
# A DFC catalogue fetched from another platform (DESIGN.md §13): how long to wait, and
# whether addresses of our own networks may be fetched (never in production: tests only).
DFC_IMPORT_TIMEOUT = int(os.environ.get("DFC_IMPORT_TIMEOUT", "20"))
DFC_IMPORT_PRIVATE_HOSTS = False

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Nothing is sent, but Celery still builds a producer for the serializer: on the default
    # (AMQP, no host) kombu warned "No hostname was supplied" in the middle of the commands.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A worker killed mid-task (OOM, deploy, power): the task is delivered again and, being
# idempotent (DESIGN.md §4.5), completes once. A pool child lost: requeued at once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # The whole worker lost: Redis hands its unacknowledged tasks to another worker after
    # this many seconds. Longer than the hard time limit, so a running task is never taken
    # twice. (RabbitMQ requeues them as soon as the worker's connection drops.)
    _visibility_timeout = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Look for such tasks this often (kombu's sweep runs every interval × throttle s).
        "unacked_restore_interval": min(10, _visibility_timeout),
        "unacked_restore_throttle": 1,
    }

# Geography.
# A BAN-compatible geocoder (addok) inside the platform's network: nothing outside is
# reachable from its servers, so there is none by default, and a place without coordinates
# is then refused with a message asking for them (logistics.services.place_locate).
GEOCODER_DOMAIN = os.environ.get("GEOCODER_DOMAIN", "")
GEOCODER_SCHEME = os.environ.get("GEOCODER_SCHEME", "https")
GEOCODER_TIMEOUT_S = float(os.environ.get("GEOCODER_TIMEOUT_S", "5"))
# Whether an address without coordinates is sent to the geocoder at all.
GEOCODER_ENABLED = env_bool("GEOCODER_ENABLED", bool(GEOCODER_DOMAIN))
ZONES_GEOJSON = BASE_DIR / "logistics" / "data" / "zones.geojson"
LOCAL_RADIUS_KM = Decimal(os.environ.get("LOCAL_RADIUS_KM", "80"))
MAX_DISTANCE_FROM_HUB_KM = Decimal(os.environ.get("MAX_DISTANCE_FROM_HUB_KM", "200"))
ROAD_CIRCUITY_FACTOR = Decimal(os.environ.get("ROAD_CIRCUITY_FACTOR", "1.3"))
OSRM_URL = os.environ.get("OSRM_URL", "")

DEFAULT_VAT_RATE = Decimal("0.055")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies are never logged: they may carry household resources.
        "django.request": {"level": "ERROR"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in-process: their "succeeded" lines would cut through the command line's
    # progress bars (seed_history printed one per mail). Workers keep them.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # type: ignore[index]

CELERY_BEAT_SCHEDULE = {
    # Opens and closes cycles at their opens_at / closes_at; idempotent.
    "cycles-advance-due": {"task": "supply.cycles_advance_due", "schedule": 60.0},
    # The schedules' coming cycles (DESIGN.md §10), every night; idempotent.
    "schedules-generate": {
        "task": "supply.schedules_generate",
        "schedule": crontab(hour=2, minute=15),
    },
    # Reminders before deadlines, missed deadlines, decisions and envelopes (DESIGN.md §11);
    # each message once, whatever the number of runs.
    "notifications-reminders": {"task": "notifications.reminders", "schedule": 900.0},
    # The caisses' monthly credit (DESIGN.md §14), each night: once a month per member.
    "ssa-months-credit": {"task": "ssa.months_credit", "schedule": crontab(hour=0, minute=30)},
    # Dashboard snapshots of cycles whose figures may have moved (receptions, settlement).
    "dashboards-refresh": {"task": "dashboards.snapshots_refresh", "schedule": 900.0},
}

# Routing.
# Estimated travel times (without OSRM): the part of a leg inside the metropole (this radius
# around the hub) at an urban speed (streets, lights, the rocade at rush hour), the rest at a
# road speed (departmental roads, the A1, A23, A25 and their villages).
ROUTING_URBAN_SPEED_KMH = float(os.environ.get("ROUTING_URBAN_SPEED_KMH", "30"))
ROUTING_ROAD_SPEED_KMH = float(os.environ.get("ROUTING_ROAD_SPEED_KMH", "60"))
ROUTING_METROPOLE_RADIUS_KM = float(os.environ.get("ROUTING_METROPOLE_RADIUS_KM", "15"))
ROUTING_SERVICE_BASE_S = int(os.environ.get("ROUTING_SERVICE_BASE_S", "600"))  # per stop
ROUTING_SERVICE_PER_KG_S = float(os.environ.get("ROUTING_SERVICE_PER_KG_S", "2"))
ROUTING_MAX_TRIPS = int(os.environ.get("ROUTING_MAX_TRIPS", "4"))  # reloads at the hub
# The search stops after this many iterations without a better plan (or at its time limit).
ROUTING_PATIENCE_ITERATIONS = int(os.environ.get("ROUTING_PATIENCE_ITERATIONS", "3000"))
# A delivery trip leaves the hub once the goods it carries are there and sorted (DESIGN §6).
SORTING_MIN = int(os.environ.get("SORTING_MIN", "45"))
# The other practice: producers are collected the day before delivery.
COLLECTION_DAY_BEFORE = os.environ.get("COLLECTION_DAY_BEFORE", "") in ("1", "true", "yes")
DRIVER_HOURLY_COST = Decimal(os.environ.get("DRIVER_HOURLY_COST", "24.00"))
# Categories that travel cold (DESIGN.md §6: only in a refrigerated van).
COLD_CATEGORIES = ("laitier", "viande", "poisson", "oeufs")
# How a cycle's round costs are shared among its groceries (DESIGN.md §5.4):
# by_weight (delivered kg), by_value (goods incl. VAT) or equal.
LOGISTICS_COST_RULE = os.environ.get("LOGISTICS_COST_RULE", "by_weight")
# Dashboards: kg of CO2 per km driven by a light van (ADEME order of magnitude).
CO2_KG_PER_KM = Decimal(os.environ.get("CO2_KG_PER_KM", "0.25"))
LOGIN_URL = "login"
# Households with no decision in force and no order for this many years are anonymised by
# `manage.py households_anonymise` (run it daily from cron or beat).
HOUSEHOLD_RETENTION_YEARS = int(os.environ.get("HOUSEHOLD_RETENTION_YEARS", "2"))
AUTHENTICATION_BACKENDS = ["core.lockout.LockoutModelBackend"]
# Five wrong passwords for one username from one address lock that address out of it for
# 15 minutes (token, login page, admin); 50 from all addresses lock the username for everyone.
LOGIN_FAILURES_BEFORE_LOCKOUT = int(os.environ.get("LOGIN_FAILURES_BEFORE_LOCKOUT", "5"))
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "50"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
# Counters of the lockout and the throttles: in the process by default, in Redis when several
# web processes share them (CACHE_URL=redis://host:6379/1).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
