"""Settings for the Tuoyu portal, read from the environment.

One file, in sections. Every value a deployment changes comes from an environment variable;
`.env.example` lists them. With nothing set, the portal runs on an embedded SQLite database and
runs Celery tasks in-process, so that `make run` works on a fresh machine.
"""

from pathlib import Path

import environ
from kombu import Queue

from accounts.scopes import scope_descriptions

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ---------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-only-for-debug")  # noqa: S105
else:
    # Production has no default: a missing key must stop the process, not fall back silently.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "oauth2_provider",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "regions",
    "accounts",
    "audit",
    "institutions",
    "filings",
    "enrolments",
    "pilots",
    "metrics",
    "dashboards",
    "complaints",
    "supervision",
    "mentoring",
    "demonstration",
    "yearend",
    "training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.health.DatabaseUnavailableMiddleware",
    "portal.replica.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.request.AuditRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.OfficialSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    # Last, so that it sees the authenticated user and every response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/databases/#postgresql-notes
# DATABASE_URL unset: an SQLite file (the embedded default). PostgreSQL uses psycopg 3 and Django's
# connection pool, so each worker process keeps a few warm connections instead of one per request.
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        # While the database is unreachable a request waits this long for a connection, then gets the 503.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3),
    }
    # With the pool, this makes Django pass psycopg_pool's check_connection: a connection broken by a
    # database restart is found and replaced before a request gets it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # psycopg_pool retries a lost connection with exponential backoff (1, 2, 4, 8 … s): after a 30 s outage
    # it would try again only ~30 s after the database's return, answering 503 meanwhile. A constant half
    # second (with its jitter) reconnects within a second of the return; a refused attempt costs nothing.
    from psycopg_pool.base import AttemptWithBackoff

    AttemptWithBackoff.INITIAL_DELAY = env.float("DATABASE_RECONNECT_SECONDS", default=0.5)
    AttemptWithBackoff.DELAY_BACKOFF = 1.0
    # A new connection to an unreachable server gives up quickly instead of hanging a request.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool, not persistent connections, reuses them
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# A PostgreSQL streaming replica for the read-only dashboard and API traffic (portal/replica.py): GET and HEAD
# requests to /dashboards/ and /api/ read there, outside transactions and until they write; everything else
# uses the primary. Empty: one database. The replica takes the primary's pool and timeout options.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    _replica = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {**DATABASES["default"], **_replica,
                            "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {})}}
DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
# The role the portal connects as in production (owns nothing); `migrate`, run as the owner role, grants it
# its privileges (portal/roles.py). Unset: no grants (a single-role development database).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
DATABASE_RETRY_AFTER_SECONDS = env.int("DATABASE_RETRY_AFTER_SECONDS", default=5)
IS_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out accounts and addresses first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Officials and administrators see a whole area's data: their sessions end after 30 idle minutes.
OFFICIAL_SESSION_IDLE_SECONDS = env.int("OFFICIAL_SESSION_IDLE_SECONDS", default=30 * 60)

# django-axes: failed logins are throttled per account and per address.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# django-otp: an optional TOTP second factor (authenticator app); officials and administrators
# can be made to enrol one. https://django-otp-official.readthedocs.io/en/stable/overview.html
OFFICIALS_REQUIRE_TOTP = env.bool("OFFICIALS_REQUIRE_TOTP", default=False)
OTP_TOTP_ISSUER = "Tuoyu"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin may remove a device, never read its secret

# --- Internationalisation -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Filing documents are private: stored outside any public URL and served by a view that
    # checks the reader's right to the filing.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media"),
                    "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own origin: no inline scripts, no CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Identity numbers are hashed with this key for duplicate detection and encrypted for display.
# It must differ from SECRET_KEY so that rotating one does not orphan the other.
PII_KEY = env.str("PII_KEY", default="insecure-development-pii-key") if DEBUG else env.str("PII_KEY")

# --- REST API -----------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["portal.api.filters.StrictDjangoFilterBackend",
                                "portal.api.changes.UpdatedAfterFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonWindowThrottle",
        "portal.api.throttling.UserWindowThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="2000/min"),
        # Complaints and their lookup, per address, pages and API together (no account is needed).
        "complaint": env.str("COMPLAINT_THROTTLE", default="10/hour"),
        "complaint_lookup": env.str("COMPLAINT_LOOKUP_THROTTLE", default="30/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tuoyu API",
    "DESCRIPTION": "Registration, filing, enrolment and capacity metrics of childcare institutions "
    "for children under 3. Every object is scoped to the caller's region or institution; "
    "objects outside it answer 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_error_responses",
    ],
    # Several models have a "status" or "kind" with different choices: name each enum explicitly.
    "ENUM_NAME_OVERRIDES": {
        "FilingStatusEnum": "filings.models.Filing.Status",
        "FilingKindEnum": "filings.models.Filing.Kind",
        "DocumentKindEnum": "filings.models.Document.Kind",
        "BookingStatusEnum": "filings.models.Booking.Status",
        "InstitutionStatusEnum": "institutions.models.Institution.Status",
        "UserRoleEnum": "accounts.models.User.Role",
        "StaffRoleEnum": "institutions.models.StaffMember.Role",
        "ComplaintStatusEnum": "complaints.models.Complaint.Status",
        "InspectionKindEnum": "supervision.models.Inspection.Kind",
        "InspectionStatusEnum": "supervision.models.Inspection.Status",
        "InspectionRoundStatusEnum": "supervision.models.InspectionRound.Status",
        "RectificationStatusEnum": "supervision.models.RectificationOrder.Status",
        "SuspensionNoticeStatusEnum": "supervision.models.SuspensionNotice.Status",
        "GuardianRelationEnum": "enrolments.models.Guardian.Relation",
        "GuardianRequestKindEnum": "enrolments.models.GuardianRequest.Kind",
        "GuardianRequestStatusEnum": "enrolments.models.GuardianRequest.Status",
        "ExportApprovalStatusEnum": "enrolments.models.ExportApproval.Status",
        "MentoringOutcomeResultEnum": "mentoring.models.Outcome.Result",
        "ResultEnum": "supervision.models.Inspection.Result",  # the name it had before mentoring outcomes
        "CreationStatusEnum": "demonstration.models.Creation.Status",
        "TrainingCourseKindEnum": "training.models.Course.Kind",
        "TrainingCourseStatusEnum": "training.models.Course.Status",
        "TrainingRegistrationStatusEnum": "training.models.Registration.Status",
    },
}

# --- API tokens ---------------------------------------------------------------------------------
# https://django-oauth-toolkit.readthedocs.io/en/latest/settings.html
# Other systems get OAuth 2.0 client credentials (accounts.ApiClient); people make personal tokens on
# their security page. Both are django-oauth-toolkit access tokens, stored as a SHA-256 checksum only.
OAUTH2_PROVIDER = {
    "SCOPES": scope_descriptions(),  # one read and one write scope per area of the API
    "DEFAULT_SCOPES": [],
    "SCOPES_BACKEND_CLASS": "accounts.tokens.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "accounts.tokens.PortalOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("API_CLIENT_TOKEN_SECONDS", default=3600),
    "ERROR_RESPONSE_WITH_SCOPES": True,
    # RFC 9700 (OAuth 2.0 security best current practice): tokens hashed at rest, no tokens in query
    # strings, no implicit or password grants, PKCE with S256 only.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    # Only the client-credentials grant is used (no redirects, no refresh tokens); should another grant
    # ever be enabled, these keep it to the same practice.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# The library's own models (named here because accounts' models refer to them, and Django resolves
# swappable models through these settings).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 — a model name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 — a model name
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 — a model name
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "oauth2_provider.DeviceGrant"
# Personal tokens: the longest lifetime a person may choose (days), and invitations' lifetime.
PERSONAL_TOKEN_MAX_DAYS = env.int("PERSONAL_TOKEN_MAX_DAYS", default=365)
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
# The events feed and change-feed cursors hold back rows younger than this, so that a transaction
# still committing cannot land behind a cursor a consumer has already passed (audit/events.py).
EVENTS_SETTLE_SECONDS = env.int("EVENTS_SETTLE_SECONDS", default=5)

# --- Cache --------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.PortalRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A stopped or frozen Redis must cost milliseconds: short socket timeouts, then the cache is skipped for
# a few seconds (portal/cache.py) — reads miss, writes are dropped and their keys deleted once it is back.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.25)
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=5.0)
# Cached API reads and token lookups (portal/api/cache.py), dropped as soon as the data behind them
# changes. They need a cache shared by every process, so they are on only with Redis; 0 turns them off.
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=120 if REDIS_URL else 0)

# --- Celery -------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# No broker configured: tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=660)
# Longer than the longest task, so that an unacknowledged task is not handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT * 2)}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_TRACK_STARTED = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Queues by kind of work, so that a long recompute, ranking or import never waits behind (or holds up) the
# quick tasks, and each kind can have workers of its own (docker-compose.yml, docs/scaling.md). Routed by
# task name, so the outbox relay's send_task and beat's entries are routed too. A worker started without
# -Q listens on every queue named here (make worker, the tests' workers).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_BY_KIND = {
    "recompute": ["metrics.recompute_snapshot", "metrics.recompute_snapshot_debounced", "metrics.recompute_today",
                  "metrics.snapshot_retention_run"],
    "rankings": ["metrics.rankings_period_end"],
    "imports": ["enrolments.tasks.enrolment_import_run", "institutions.tasks.onboarding_check_run",
                "institutions.tasks.onboarding_import_run"],
}
CELERY_TASK_ROUTES = {name: {"queue": queue} for queue, names in CELERY_TASK_QUEUES_BY_KIND.items() for name in names}
CELERY_TASK_QUEUES = [Queue(name) for name in (CELERY_TASK_DEFAULT_QUEUE, *CELERY_TASK_QUEUES_BY_KIND)]
# Tasks go through the transactional outbox (portal/dispatch.py). Its relay runs beside every worker
# (`manage.py outbox_relay`); it wakes on commit (PostgreSQL NOTIFY) and polls every few seconds.
OUTBOX_RELAY_IN_WORKER = env.bool("OUTBOX_RELAY_IN_WORKER", default=True)
OUTBOX_RELAY_POLL_SECONDS = env.float("OUTBOX_RELAY_POLL_SECONDS", default=2.0)
# Runs (recompute, ranking, import) beat every RUN_HEARTBEAT_SECONDS; one silent for RUN_STALE_SECONDS
# has lost its worker and is requeued (at most RUN_MAX_ATTEMPTS times) by the sweeper, which looks every
# RUN_SWEEP_SECONDS (portal/runs.py): a lost run is noticed within stale + sweep seconds (75 s by default).
RUN_HEARTBEAT_SECONDS = env.float("RUN_HEARTBEAT_SECONDS", default=10.0)
RUN_STALE_SECONDS = env.float("RUN_STALE_SECONDS", default=60.0)
RUN_SWEEP_SECONDS = env.float("RUN_SWEEP_SECONDS", default=15.0)
RUN_MAX_ATTEMPTS = env.int("RUN_MAX_ATTEMPTS", default=3)
# A superseded snapshot version keeps its rows this long after the swap, for readers that pinned it.
SNAPSHOT_GRACE_SECONDS = env.int("SNAPSHOT_GRACE_SECONDS", default=600)
# Every date's snapshot is kept this many days; older ones only as month-ends (metrics.retention).
SNAPSHOT_KEEP_DAILY_DAYS = env.int("SNAPSHOT_KEEP_DAILY_DAYS", default=92)
CELERY_TIMEZONE = TIME_ZONE

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tuoyu@localhost")

# --- Domain -------------------------------------------------------------------------------------
# Working definitions (see docs/domain.md): configurable, and said so in the UI.
PLACES_TARGET_PER_1000 = env.float("PLACES_TARGET_PER_1000", default=4.5)
# The year whose end the target is set for (14th Five-Year Plan: 4.5 by the end of 2025). Once it is past,
# the planner aims at the end of the next five-year plan (2030, ...) with the same target until a new one is set.
PLACES_TARGET_YEAR = env.int("PLACES_TARGET_YEAR", default=2025)
PLAN_PERIOD_YEARS = 5
FILING_DECISION_WORKING_DAYS = 5
# A complaint is answered by the county within this many working days (working definition: no national
# rule sets it; 15 working days is the common 12345-hotline practice).
COMPLAINT_ANSWER_WORKING_DAYS = env.int("COMPLAINT_ANSWER_WORKING_DAYS", default=15)
# Caregiver training at the guidance centres (working definitions: no national rule fixes them). A training
# certificate is valid this many years; the figures flag certificates expiring within this many days.
TRAINING_CERTIFICATE_VALID_YEARS = env.int("TRAINING_CERTIFICATE_VALID_YEARS", default=3)
TRAINING_EXPIRING_WITHIN_DAYS = env.int("TRAINING_EXPIRING_WITHIN_DAYS", default=90)
# The load benchmark's constant-JSON reference endpoint; off in production.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
ENROLMENT_REPORT_PERIOD_DAYS = env.int("ENROLMENT_REPORT_PERIOD_DAYS", default=90)

# Children's personal data (docs/privacy.md). Erased this many days after the child's last day of care:
# 3 years, the general limitation period of the Civil Code (Art. 188) within which a family or the
# authority may still raise a claim about the care given (working definition; PIPL Art. 19: no longer
# than the purpose needs).
CHILD_DATA_RETENTION_DAYS = env.int("CHILD_DATA_RETENTION_DAYS", default=3 * 365)
# A guardian's request to see, correct or delete a child's data is answered within this many working days.
GUARDIAN_REQUEST_WORKING_DAYS = 15
# Downloads of personal data: at most this many per user per hour; a download of children's data with more
# rows than this needs a second person's approval (working definitions).
PERSONAL_DATA_EXPORTS_PER_HOUR = env.int("PERSONAL_DATA_EXPORTS_PER_HOUR", default=10)
CHILD_EXPORT_APPROVAL_ROWS = env.int("CHILD_EXPORT_APPROVAL_ROWS", default=100)
# The audit log is kept at least this long (level-3: six months); nothing in the portal deletes it.
AUDIT_RETENTION_MIN_DAYS = 183

# Supervision after filing. From the rule (登记和备案办法): non-compliance found by the county's verification
# is notified within 15 working days of filing. Working definitions: the rest.
SUPERVISION_VERIFICATION_WORKING_DAYS = 15
SUPERVISION_VERIFICATION_CHECKLIST = "health-safety"
SUPERVISION_TARGETED_WORKING_DAYS = 10
# Rectification deadline by the highest risk found, in working days.
SUPERVISION_RECTIFICATION_WORKING_DAYS = {"high": 5, "medium": 10, "low": 20}
# Days to object to a suspension notice (Ofsted gives 14 before a refusal).
SUPERVISION_OBJECTION_DAYS = 14
SUPERVISION_DISCLOSURE_YEARS = 5
# A risk-weighted draw: weight 1, plus these points per finding of the last 3 years, per complaint of the
# last year, and for a filing of the last year.
SUPERVISION_DRAW_WEIGHTS = {"finding_high": 3, "finding_medium": 2, "finding_low": 1, "complaint": 2,
                            "new_filing": 2}

# Year-end reports (托育机构管理规范 Art. 38): due on this (month, day) of the year after the one reported on.
# Working definition: no national deadline is published; 31 January is the usual one for annual reports.
YEAREND_DUE_MONTH_DAY = (1, 31)

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
