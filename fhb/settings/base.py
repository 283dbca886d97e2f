"""Settings shared by every environment, read from environment variables (django-environ).

Nothing configured gives the demo: an embedded SQLite database and Celery tasks run in-process.
`DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and a real Celery worker.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

from fhb.logconfig import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The demo key; production.py refuses to start without a real SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="fhb-demo-only-not-secret-3b1f0c2e9a7d4e6f8a5b2c1d0e9f8a7b")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "fhb.admin_site.OperatorAdminConfig",  # django.contrib.admin for operators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "fhb",
    "visits",
    "invitations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fhb.middleware.RequestBodyLimitMiddleware",
    "fhb.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must be last: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fhb.urls"
FORM_RENDERER = "fhb.forms.DkfdsFormRenderer"
WSGI_APPLICATION = "fhb.wsgi.application"

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
                "django.template.context_processors.i18n",
                "fhb.context_processors.navigation",
                "fhb.context_processors.saved_drafts",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'fhb.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo database: wait for the in-process writer rather than fail with "locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compiling costs more than it saves on this app's queries (measured: 0.5 s of a 0.7 s
    # eligibility query went to JIT; bench/eligibility.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "fhb.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock for an hour after five failed logins: per username (guessing one account's password), and
# per IP address with user agent (spraying many usernames from one client). Not per bare IP, so one
# town hall behind NAT is not locked out by a few colleagues' typos.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
# A successful login clears that user's own failures only (fhb.apps): axes' own reset on success
# also cleared every failure from the same address and browser, so wrong guesses at one account
# interleaved with good logins to another were never locked.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fhb" / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# dkfds and htmx come from npm (package.json); `make install` runs npm ci.
STATICFILES_DIRS = [
    ("vendor/dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["fhb.permissions.IsMunicipalityStaff"],
    "DEFAULT_FILTER_BACKENDS": ["fhb.api.filters.MunicipalityFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "fhb.api.schema.FhbAutoSchema",
    "EXCEPTION_HANDLER": "fhb.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"cpr_lookup": "120/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fhb API",
    "DESCRIPTION": (
        "Forebyggende hjemmebesøg (Serviceloven § 79 a til 30. juni 2025, Ældreloven § 4 fra 1. juli 2025): "
        "borgere, risikohændelser, tilbud, besøg, breve og indberetning."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Served from our own static files: no CDN, and no inline script (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OfferStatusEnum": "fhb.models.OfferStatus",
        "TargetGroupEnum": "fhb.law.TARGET_GROUP_CHOICES",
        "VisitKindEnum": "visits.models.VisitKind",
        "FollowUpKindEnum": "visits.models.FollowUpKind",
        "ReferralKindEnum": "fhb.intake.REFERRAL_CHOICES",
        "InvitationKindEnum": "fhb.models.InvitationKind",
        "VisitOutcomeEnum": "visits.models.VisitOutcome",
        "CallOutcomeEnum": "invitations.models.CallOutcome",
        "LetterResponseEnum": "invitations.models.LetterResponse",
        "LetterAnswerEnum": "invitations.api.ANSWERS",
        "CancelReasonEnum": "visits.models.CancelReason",
    },
}

REDIS_URL = env("REDIS_URL", default="")
# The cache holds the year's figures between their changes (reports.figures, fhb.freshness): it
# must be shared by the web processes (gunicorn's workers), so with Redis it is Redis. The demo
# (one process) keeps it in memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "fhb"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fhb"}
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # The demo: no broker, tasks run in the web process when they are enqueued.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="fhb")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# The worker keeps Django's LOGGING (the CPR-masking filter) instead of replacing the root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task whose worker died is handed to another worker after this long (acks_late).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-stale-import-files": {"task": "fhb.tasks.import_jobs_purge_task", "schedule": 60 * 60},
    # Long jobs whose worker is gone are started again (fhb.jobs): every minute.
    "recover-long-jobs": {"task": "fhb.tasks.jobs_recover_task", "schedule": env.float("FHB_JOB_RECOVER_EVERY", 60.0)},
    "recompute-target-groups": {"task": "fhb.tasks.offers_sync_nightly_task", "schedule": crontab(hour=2, minute=15)},
}

# CPR numbers never reach a log line, whoever logs them (fhb/logconfig.py).
LOGGING = logging_config(
    level=env("LOG_LEVEL", default="INFO"),
    loggers={
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
)

# Single sign-on (KOMBIT Fælleskommunal Adgangsstyring, SAML 2.0) when the IdP's metadata is given.
SAML_METADATA_FILE = env("SAML_METADATA_FILE", default="")
if SAML_METADATA_FILE:
    INSTALLED_APPS.append("djangosaml2")
    AUTHENTICATION_BACKENDS.insert(1, "fhb.auth.KombitSaml2Backend")
    SAML_SESSION_COOKIE_NAME = "saml_session"
    SAML_CREATE_UNKNOWN_USER = True
    SAML_DJANGO_USER_MAIN_ATTRIBUTE = "username"
    SAML_ATTRIBUTE_MAPPING = {
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier": ("username",),
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": ("first_name",),
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": ("last_name",),
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ("email",),
    }
    SAML_CONFIG = {
        "xmlsec_binary": env("SAML_XMLSEC_BINARY", default="/usr/bin/xmlsec1"),
        "entityid": env("SAML_ENTITY_ID"),
        "service": {"sp": {"want_assertions_signed": True, "authn_requests_signed": True}},
        "metadata": {"local": [SAML_METADATA_FILE]},
        "key_file": env("SAML_KEY_FILE"),
        "cert_file": env("SAML_CERT_FILE"),
    }

FHB = {
    # How long an uploaded import file may live before the retention job deletes it.
    "IMPORT_FILE_RETENTION_DAYS": env.int("FHB_IMPORT_FILE_RETENTION_DAYS", default=1),
    # KOMBIT user-system role name -> fhb role, e.g. {"fhb_konsulent": "consultant"}; empty: defaults.
    "SAML_ROLE_MAP": env.json("FHB_SAML_ROLE_MAP", default={}),
    # A consultant's home visits per week when their own capacity is not set (dashboards).
    "DEFAULT_WEEKLY_VISIT_CAPACITY": env.int("FHB_DEFAULT_WEEKLY_VISIT_CAPACITY", default=12),
    # Open-letter citizens who have not answered this many days after the letter date go on the call list.
    "CALL_LIST_AFTER_DAYS": env.int("FHB_CALL_LIST_AFTER_DAYS", default=14),
    # Without a worker (the demo), long tasks started from a page run in a thread: the page returns and
    # shows progress. Tests set it off and run them inline.
    "EAGER_IN_THREAD": env.bool("FHB_EAGER_IN_THREAD", default=True),
    # Long jobs (imports, DST deliveries, letter batches): a running job not heard from for this long
    # has lost its worker and is started again (fhb.jobs), at most this many times. A letter batch is
    # heard from when a chunk of letters is stored; its chunks can wait in the queue behind another
    # long job, so its lease is longer.
    "JOB_LEASE_SECONDS": env.int("FHB_JOB_LEASE_SECONDS", default=120),
    "BATCH_LEASE_SECONDS": env.int("FHB_BATCH_LEASE_SECONDS", default=600),
    "JOB_MAX_ATTEMPTS": env.int("FHB_JOB_MAX_ATTEMPTS", default=3),
    # How long a cancelled booking, a closed follow-up or a check-in at an event can be undone.
    "UNDO_MINUTES": env.int("FHB_UNDO_MINUTES", default=30),
    # An address opens the device's map app: {query} is the URL-encoded address. The default geo: URI
    # stays on the device (Android's map app; iOS: use "maps://?q={query}").
    "MAP_URL": env("FHB_MAP_URL", default="geo:0,0?q={query}"),
}
