"""ICMS settings: one module, read from the environment (the README lists every variable).

With DEBUG off (the default) the HTTPS-only settings are on, so a production deployment passes
`manage.py check --deploy` without extra configuration. With DATABASE_URL / REDIS_URL unset the
app starts its own PostgreSQL and Redis under ICMS_DATA_DIR (see icms/embedded.py).
"""

import os
import secrets
import tempfile
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from icms import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no variable; an unrecognised value stops start-up instead of meaning "no"."""
    value = env.str(name, default="").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def env_int(name: str, *, default: int) -> int:
    value = env.str(name, default="").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def persistent_secret_key(data_dir: Path) -> str:
    """A random key kept in the data folder, so sessions survive restarts without configuration.

    Deployments with several web replicas must set SECRET_KEY so that all of them share one.
    """
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: of processes starting together (web and worker,
        # parallel test workers) one key wins and nobody reads a half-written file.
        with tempfile.NamedTemporaryFile("w", dir=data_dir, delete=False) as new_key:  # 0600
            new_key.write(secrets.token_urlsafe(64))
        try:
            os.link(new_key.name, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(new_key.name)
    return key_file.read_text().strip()


def database_from_url(url: str, variable: str = "DATABASE_URL") -> dict:
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{variable} must point to PostgreSQL (postgres://user:password@host:port/name)"
        )
    try:
        return env.db_url_config(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"{variable} cannot be read: {error}") from None


def database_owner(url: str, database: dict) -> dict:
    """How the owner's role connects (DATABASE_OWNER_URL): to the app's database, as another
    user, perhaps by another route (no pooler, say). icms/database_roles.py switches to it."""
    owner = database_from_url(url, "DATABASE_OWNER_URL")
    if owner["NAME"] != database["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_OWNER_URL must name the database DATABASE_URL names ({database['NAME']}); "
            f"it names {owner['NAME']}"
        )
    return {
        key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS") if key in owner
    }


def redis_url_for_db(url: str, db: int) -> str:
    """REDIS_URL with its logical database replaced: `redis://h:p/N` or `unix:///path?db=N`."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query)) | {"db": str(db)}
        return f"unix://{parts.path}?{urlencode(query)}"
    if parts.scheme in {"redis", "rediss"}:
        return urlunsplit(parts._replace(path=f"/{db}"))
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")


def env_hours(name: str, *, default: str) -> tuple[time, time]:
    """Office hours as `HH:MM-HH:MM`; outside them (and on weekends and holidays) is after hours."""
    value = env.str(name, default=default)
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 09:00-17:00; got {value!r}") from None
    if start >= end:
        raise ImproperlyConfigured(f"{name} must start before it ends; got {value!r}")
    return start, end


def celery_broker_url(url: str, db: int) -> str:
    """Kombu spells a unix socket `redis+socket://` and the database `virtual_host`."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"redis+socket://{parts.path}?virtual_host={db}"
    return redis_url_for_db(url, db)


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)
ICMS_DATA_DIR = embedded.data_dir_from_environment(BASE_DIR)
SECRET_KEY = env.str("SECRET_KEY", default="") or persistent_secret_key(ICMS_DATA_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "concurrency",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    "toolkit",
    "icms",
    "accounts",
    "audit",
    "notifications",
    "oncall",
    "clients",
    "caseplans",
    "register",
    "referrals",
    "supervision",
    "visits",
    "crises",
    "diary",
    "outcomes",
    "documents",
    "exits",
    "records",
    "webhooks",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "icms.middleware.NeverCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "icms.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "audit.middleware.AuditContextMiddleware",
    # Last, as its documentation asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "icms.urls"
WSGI_APPLICATION = "icms.wsgi.application"

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
                "icms.context_processors.navigation",
            ],
        },
    },
]

# --- Database and Redis -----------------------------------------------------------------------

# Two roles (README, "Who sees what, and the audit trail"): the app connects as DATABASE_URL's,
# which owns nothing and may only add to the trails; migrations run as the owner's.
if env.str("DATABASE_URL", default=""):
    _database = database_from_url(env.str("DATABASE_URL"))
    _owner_url = env.str("DATABASE_OWNER_URL", default="")
    DATABASE_OWNER = database_owner(_owner_url, _database) if _owner_url else None
elif env.str("DATABASE_OWNER_URL", default=""):
    raise ImproperlyConfigured("DATABASE_OWNER_URL is set without DATABASE_URL; set both")
else:
    _database = embedded.postgres_database(ICMS_DATA_DIR)
    DATABASE_OWNER = {"USER": embedded.OWNER_USER}
_database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
_database["CONN_HEALTH_CHECKS"] = True
# Django's PostgreSQL backend with a deadline on every wait for the server: connecting, the
# health check and statements (icms/database/__init__.py says why and how long).
_database["ENGINE"] = "icms.database"
_database.setdefault("OPTIONS", {})["connect_timeout"] = env_int(
    "DATABASE_CONNECT_TIMEOUT", default=2
)
# No JIT compilation: the app's queries are short, and compiling them cost more than running
# them (the caseload's 20 ms query took 190 ms with JIT at statewide scale; see README).
_database["OPTIONS"]["options"] = " ".join(
    filter(None, [_database["OPTIONS"].get("options", ""), "-c jit=off"])
)
DATABASES = {"default": _database}
# Seconds a statement may run: PostgreSQL's statement_timeout for pages, and for Celery's worker
# and beat; management commands (migrate, seed_scale) have none.
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", default=10)
DATABASE_JOB_STATEMENT_TIMEOUT = env_int("DATABASE_JOB_STATEMENT_TIMEOUT", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="") or embedded.redis_url(ICMS_DATA_DIR)
REDIS_BROKER_DB = 0
REDIS_CACHE_DB = env_int("REDIS_CACHE_DB", default=1)
REDIS_SESSION_DB = env_int("REDIS_SESSION_DB", default=2)


def redis_cache(db: int) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_for_db(REDIS_URL, db),
        "KEY_PREFIX": "icms",
        # A page must never hang on a missing Redis.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }


# Sessions have a database of their own: emptying the cache must not sign everyone out.
CACHES = {"default": redis_cache(REDIS_CACHE_DB), "sessions": redis_cache(REDIS_SESSION_DB)}

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = celery_broker_url(REDIS_URL, REDIS_BROKER_DB)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A job taken by a worker that then dies is given to another after this many seconds.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
# A job sent after a page's change is committed (an e-mail) waits at most one socket timeout
# for a Redis that does not answer: the change stands, the failure is logged, and
# send_waiting_emails sends the e-mail later. Retrying would hold the page for each retry.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the work is done, so a worker killed mid-task leaves the job queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "icms.beat:DatabaseScheduler"
# beat writes each job's last run to the database as it sends it, not every three minutes: its
# health check (deploy/beat_alive.py) reads it, and a restarted beat knows what it sent.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_TIMEZONE = "Australia/Melbourne"
# Minutes after which /healthz reports the periodic heartbeat (beat -> broker -> worker) stale.
HEARTBEAT_STALE_AFTER_MINUTES = env_int("HEARTBEAT_STALE_AFTER_MINUTES", default=3)

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before anything
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor authentication (TOTP) for everyone; set up at first login.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ICMS")
# Minutes between a correct password and the code that must follow it.
TWO_FACTOR_PENDING_MINUTES = 5
RECOVERY_CODE_COUNT = 10

# Lockout: the username + address pair, after 5 failures, for 15 minutes; the same answer
# whether or not the username exists.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind proxies the client's address is in X-Forwarded-For, counted from its end: the farthest
# of the trusted proxies appended it (REMOTE_ADDR is the nearest one's). Addresses before it may
# be made up by the client, so the header may be longer than the count (not "strict"). ipware
# counts the proxies listed in the header, which leaves out the nearest one.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR"]
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    IPWARE_STRICT = False

# Sessions end after inactivity and when the browser closes. They live in Redis only: a page
# view renews the idle timer, and renewing it in PostgreSQL cost a committed write (an fsync)
# on every page. Losing Redis's data signs people out; it loses no record. Redis not answering
# signs nobody out: pages answer 503 until it does (icms/sessions.py).
SESSION_ENGINE = "icms.sessions"
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", default=30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Minutes an after-hours ("break-glass") access to a young person's safety information lasts.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", default=240)
# Minutes an after-hours alert waits for the worker on call to acknowledge it before the team's
# supervisor is told.
ON_CALL_ACKNOWLEDGE_MINUTES = env_int("ON_CALL_ACKNOWLEDGE_MINUTES", default=15)
# Minutes past a lone visit's expected time back before the worker's supervisor is told.
ICMS_VISIT_CHECK_IN_GRACE_MINUTES = env_int("ICMS_VISIT_CHECK_IN_GRACE_MINUTES", default=15)
# Office hours; evenings, weekends and the state's public holidays are after hours.
OFFICE_HOURS = env_hours("OFFICE_HOURS", default="09:00-17:00")
PUBLIC_HOLIDAYS_STATE = env.str("PUBLIC_HOLIDAYS_STATE", default="VIC")

# --- Security (on unless DEBUG; each can be overridden for an unusual proxy set-up) ------------

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from inside the network speak plain HTTP
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: behaviour lives in static files (see templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The API (referrals.api): token per external system (knox stores only a hash), JSON only (the
# browsable API would need inline script), the same policy as the pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.NamedTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["icms.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "icms.api.ICMSAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": "600/hour"},
}
REST_KNOX = {"TOKEN_TTL": None, "AUTH_HEADER_PREFIX": "Token"}
# knox's own token model (the migrations of accounts.ApiToken name the setting).
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 (a model's name, not a secret)
SPECTACULAR_SETTINGS = {
    "TITLE": "ICMS API",
    "DESCRIPTION": "External systems read the records their scope allows (young people, "
    "contacts, case plans, crisis and exit plans, the register, appointments, documents), and "
    "child protection systems submit referrals and follow them. Each system's token is issued "
    "by ICMS's administrator (External systems).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by several fields, or named alike: one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ContactParticipantEnum": "clients.models.Contact.Participant",
        "PlanParticipantEnum": "caseplans.models.CasePlan.Participant",
        "RegisterReviewParticipantEnum": "register.models.RegisterReview.Participant",
        "RiskEnum": "referrals.models.Referral.Risk",
    },
}

# Field-level history of clinical records: every insert and update, kept by database triggers,
# with who and which page in the context; the history tables refuse updates and deletes.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- Language, time, static files, e-mail -----------------------------------------------------

LANGUAGE_CODE = "en-au"
TIME_ZONE = "Australia/Melbourne"
USE_I18N = True
USE_TZ = True
# One way of writing a date and a time everywhere, messages included: "4 Dec 2026", "14:30",
# "4 Dec 2026, 14:30". Templates use |date and |time with these names; Python, toolkit.formats.
# toolkit/formats/en/formats.py puts them ahead of Django's en_AU locale, which would otherwise win.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "M Y"
FORMAT_MODULE_PATH = ["toolkit.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploaded documents: outside the static files, served only through views that check access.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(ICMS_DATA_DIR / "media")))
REFERRAL_ATTACHMENT_MAX_MB = env_int("REFERRAL_ATTACHMENT_MAX_MB", default=10)
# Documents on a young person's file (documents app): the largest one taken, and how many days
# before an order or a consent expires its case manager is reminded.
DOCUMENT_MAX_MB = env_int("DOCUMENT_MAX_MB", default=10)
DOCUMENT_EXPIRY_NOTICE_DAYS = env_int("DOCUMENT_EXPIRY_NOTICE_DAYS", default=30)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)  # django-environ's documented way to apply an e-mail URL
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ICMS <icms@localhost>")
# The address people use to reach ICMS, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # pgserver reports every process's exit at INFO; axes every login; WeasyPrint every page.
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
