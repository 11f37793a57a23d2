"""One settings module: a sane default for everything, overridden by environment variables.

The defaults are the embedded mode (SQLite in WAL mode under var/, tasks in-process, local files);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, TONGBAN_BROKER_URL and storage.
"""

import json
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP

# Django's generic classes (ModelAdmin, Field, Lookup, …) accept type arguments at run time too, as
# the type checker's stubs have them: `class AuditEntryAdmin(admin.ModelAdmin[AuditEntry])`.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
EMBEDDED_SECRET_KEY = "tongban-embedded-demo-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", EMBEDDED_SECRET_KEY)
# Production: the process refuses to start while a setting is unsafe (config/deployment.py). It is also
# production whenever ALLOWED_HOSTS names a host beyond this machine.
TONGBAN_PRODUCTION = env_bool("TONGBAN_PRODUCTION", False)
# Where people outside reach the platform: every QR code, verification link and message is built on
# it (core.links). Production refuses to start while it names this machine.
TONGBAN_PUBLIC_BASE_URL = os.environ.get("TONGBAN_PUBLIC_BASE_URL", "http://localhost:8000")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # the API docs from its own static files, not a CDN (no inline script, works offline)
    "django.contrib.humanize",
    "django_htmx",
    "tongban.core",
    "tongban.org",
    "tongban.accounts",
    "tongban.portal",
    "tongban.workbench",
    "tongban.catalog",
    "tongban.cases",
    "tongban.notifications",
    "tongban.exchange",
    "tongban.licences",
    "tongban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.core.middleware.IdleTimeoutMiddleware",
    "tongban.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongban.core.middleware.RequestContextMiddleware",
    "tongban.core.middleware.TongbanErrorMiddleware",
]

ROOT_URLCONF = "tongban.config.urls"
WSGI_APPLICATION = "tongban.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tongban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.site",
                "tongban.notifications.context_processors.inbox",
            ],
        },
    },
]


def database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # a fresh TONGBAN_VAR_DIR
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue instead of failing with "database is locked" half-way through.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    elif os.environ.get("DB_PREPARED_STATEMENTS", "on") == "on":
        # Parameters bound on the server, and a statement run twice on a connection is prepared:
        # parsing and planning were most of PostgreSQL's work per query (docs/adr/0007). Set
        # DB_PREPARED_STATEMENTS=off behind a pooler in transaction mode, which cannot keep them.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tongban.accounts.backends.IdentifierBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tongban.accounts.passwords.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",  # only verifies the fast hashes of seeded demo users
]

# Security: lockout after repeated failures, idle time-out, strict cookies.
# Division-code prefixes accepted besides GB/T 2260 (core/data/gb2260.tsv): a city's new zones not yet
# listed nationally. "3419" is the demo city 示范市, which the national table does not have.
TONGBAN_LOCAL_DIVISIONS = env_list("TONGBAN_LOCAL_DIVISIONS", "3419")
# Revealing a full ID number or phone (accounts.reveal): the purposes a staff member may give
# besides a case in their scope (JSON object code → label), an hourly limit per staff member, and
# the burst that alerts supervision.
TONGBAN_REVEAL_PURPOSES = json.loads(
    os.environ.get("TONGBAN_REVEAL_PURPOSES")
    or '{"court_inquiry": "司法、监察机关依法查询", "record_correction": "更正登记错误", '
    '"security_incident": "安全事件调查"}'
)
TONGBAN_REVEAL_LIMIT_PER_HOUR = int(os.environ.get("TONGBAN_REVEAL_LIMIT_PER_HOUR", "30"))
TONGBAN_REVEAL_BURST = int(os.environ.get("TONGBAN_REVEAL_BURST", "10"))
TONGBAN_REVEAL_BURST_MINUTES = int(os.environ.get("TONGBAN_REVEAL_BURST_MINUTES", "10"))
TONGBAN_LOCKOUT_ATTEMPTS = int(os.environ.get("TONGBAN_LOCKOUT_ATTEMPTS", "5"))
TONGBAN_LOCKOUT_MINUTES = int(os.environ.get("TONGBAN_LOCKOUT_MINUTES", "15"))
SESSION_COOKIE_AGE = int(os.environ.get("TONGBAN_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
# Django's cache holds shared counters (the exchange's quotas and circuit breakers): web nodes and
# workers must share one in production (TONGBAN_CACHE_URL=redis://…); embedded, one process's memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["TONGBAN_CACHE_URL"]}
        if os.environ.get("TONGBAN_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if os.environ.get("TONGBAN_CACHE_URL"):
    # A shared cache answers session reads without a database query (writes go to both); a
    # process-local cache could not: a log-out in one web process would not reach the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The city's SMS platform (notifications.sms): unset, no text message is sent (agents use signatures).
TONGBAN_SMS_GATEWAY_URL = os.environ.get("TONGBAN_SMS_GATEWAY_URL", "")
TONGBAN_SMS_GATEWAY_TOKEN = os.environ.get("TONGBAN_SMS_GATEWAY_TOKEN", "")
TONGBAN_SMS_TIMEOUT_SECONDS = float(os.environ.get("TONGBAN_SMS_TIMEOUT_SECONDS", "5"))
# An idle time-out: the age counts from the last request, refreshed at most this often (core.middleware).
TONGBAN_SESSION_REFRESH_SECONDS = int(os.environ.get("TONGBAN_SESSION_REFRESH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (TLS at this process or at the load balancer): Secure cookies and HSTS.
TONGBAN_HTTPS = env_bool("TONGBAN_HTTPS", env_bool("TONGBAN_SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = TONGBAN_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("TONGBAN_HSTS_SECONDS", "31536000")) if TONGBAN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TONGBAN_HSTS_SUBDOMAINS", False)
if env_bool("TONGBAN_BEHIND_TLS_PROXY", False):  # the load balancer terminates TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere: behaviour lives in static/js, HTMX runs without eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tongban" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tongban" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": os.environ.get("TONGBAN_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Background work: Celery on a broker in production; with no broker the same task code runs
# in-process (eager) and periodic jobs run on the embedded scheduler thread of `tongban serve`.
TONGBAN_BROKER_URL = os.environ.get("TONGBAN_BROKER_URL", "")
CELERY_BROKER_URL = TONGBAN_BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not TONGBAN_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

# Audit chain: SM3 (GB/T 32905) by default, SHA-256 where OpenSSL lacks SM3.
TONGBAN_AUDIT_HASH = os.environ.get("TONGBAN_AUDIT_HASH", "sm3")
# Signed checkpoints of the chain's head, outside the database (core/audit_checkpoints.py); the
# period is the residual window in which a cut tail goes unnoticed.
TONGBAN_AUDIT_CHECKPOINT_DIR = Path(os.environ.get("TONGBAN_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints"))
TONGBAN_AUDIT_CHECKPOINT_SECONDS = float(os.environ.get("TONGBAN_AUDIT_CHECKPOINT_SECONDS", "60"))
TONGBAN_AUDIT_KEY_FILE = Path(os.environ.get("TONGBAN_AUDIT_KEY_FILE", VAR_DIR / "keys" / "audit-sm2.json"))
TONGBAN_AUDIT_PUBLIC_KEY = os.environ.get("TONGBAN_AUDIT_PUBLIC_KEY", "")
# The keys of personal data encrypted at rest (core.field_crypto): SM4 keys by id, the active one,
# and the blind-index key. A file outside the database, mode 0600, created on first use.
TONGBAN_FIELD_KEY_FILE = Path(os.environ.get("TONGBAN_FIELD_KEY_FILE", VAR_DIR / "keys" / "field-sm4.json"))
# The re-encryption after a key rotation runs on a thread of the web process when no broker is
# configured (False: inline, as the tests do).
TONGBAN_FIELD_ROTATION_BACKGROUND = env_bool("TONGBAN_FIELD_ROTATION_BACKGROUND", True)
# An external witness (e.g. the supervision system) that keeps a copy of every checkpoint, so that
# even a lost or rolled-back checkpoint store cannot hide a cut tail (core.audit_checkpoints).
TONGBAN_AUDIT_WITNESS_URL = os.environ.get("TONGBAN_AUDIT_WITNESS_URL", "").rstrip("/")
TONGBAN_AUDIT_WITNESS_TOKEN = os.environ.get("TONGBAN_AUDIT_WITNESS_TOKEN", "")
TONGBAN_AUDIT_WITNESS_SOURCE = os.environ.get("TONGBAN_AUDIT_WITNESS_SOURCE", "tongban")
TONGBAN_AUDIT_WITNESS_TIMEOUT_SECONDS = float(os.environ.get("TONGBAN_AUDIT_WITNESS_TIMEOUT_SECONDS", "5"))
TONGBAN_AUDIT_SEAL_SECONDS = float(os.environ.get("TONGBAN_AUDIT_SEAL_SECONDS", "2"))

TONGBAN_SITE_NAME = os.environ.get("TONGBAN_SITE_NAME", "示范市政务服务网")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tongban.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every PDF at INFO; only its warnings are worth a log line.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Cases: the clock turns yellow when this share of the promised time is used (or one working day is
# left); a correction notice gives this many working days to answer; 容缺 materials are owed this long.
TONGBAN_CLOCK_WARN_SHARE = float(os.environ.get("TONGBAN_CLOCK_WARN_SHARE", "0.8"))
TONGBAN_CLOCK_SWEEP_SECONDS = float(os.environ.get("TONGBAN_CLOCK_SWEEP_SECONDS", "300"))
TONGBAN_CORRECTION_DAYS = int(os.environ.get("TONGBAN_CORRECTION_DAYS", "10"))
TONGBAN_OWED_DAYS = int(os.environ.get("TONGBAN_OWED_DAYS", "20"))
TONGBAN_UPLOAD_MAX_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
TONGBAN_UPLOAD_MAX_PAGES = int(os.environ.get("TONGBAN_UPLOAD_MAX_PAGES", "300"))
TONGBAN_UPLOAD_MAX_PIXELS = int(os.environ.get("TONGBAN_UPLOAD_MAX_PIXELS", str(60_000_000)))  # a 600 dpi A3 scan
TONGBAN_UPLOAD_MAX_INFLATED_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_INFLATED_BYTES", str(256 * 1024 * 1024)))
# A JSON body carries a file as Base64 (a third larger): room for one file at the limit, so an API
# upload over it is refused by the same check and in the same words as a form upload.
DATA_UPLOAD_MAX_MEMORY_SIZE = TONGBAN_UPLOAD_MAX_BYTES * 4 // 3 + 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = TONGBAN_UPLOAD_MAX_BYTES + 1024 * 1024

# Exchange query interface: keys per call, call-log retention, and remote providers' retries and
# circuit breaker (opens after this many consecutive failures, lets one trial call through after the
# cool-down). The quota counters and breaker state live in Django's cache: share it between processes.
TONGBAN_EXCHANGE_BATCH_MAX = int(os.environ.get("TONGBAN_EXCHANGE_BATCH_MAX", "100"))
TONGBAN_EXCHANGE_LOG_YEARS = int(os.environ.get("TONGBAN_EXCHANGE_LOG_YEARS", "3"))
TONGBAN_EXCHANGE_LOG_PRUNE_SECONDS = float(os.environ.get("TONGBAN_EXCHANGE_LOG_PRUNE_SECONDS", "86400"))
TONGBAN_EXCHANGE_PROVIDER_RETRIES = int(os.environ.get("TONGBAN_EXCHANGE_PROVIDER_RETRIES", "1"))
TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS = int(os.environ.get("TONGBAN_EXCHANGE_PROVIDER_BACKOFF_MS", "100"))
TONGBAN_EXCHANGE_BREAKER_FAILURES = int(os.environ.get("TONGBAN_EXCHANGE_BREAKER_FAILURES", "5"))
TONGBAN_EXCHANGE_BREAKER_COOLDOWN_SECONDS = float(os.environ.get("TONGBAN_EXCHANGE_BREAKER_COOLDOWN_SECONDS", "30"))
# Registries: bulk imports (background thread when embedded, Celery worker with a broker), feeds.
TONGBAN_EXCHANGE_IMPORT_MAX_BYTES = int(os.environ.get("TONGBAN_EXCHANGE_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
TONGBAN_EXCHANGE_IMPORT_BACKGROUND = env_bool("TONGBAN_EXCHANGE_IMPORT_BACKGROUND", True)
TONGBAN_EXCHANGE_IMPORT_STALE_MINUTES = int(os.environ.get("TONGBAN_EXCHANGE_IMPORT_STALE_MINUTES", "60"))
TONGBAN_EXCHANGE_FEED_MAX_ROWS = int(os.environ.get("TONGBAN_EXCHANGE_FEED_MAX_ROWS", "1000"))
# Exchange job modules not named tasks.py, which Celery's autodiscovery misses.
CELERY_IMPORTS = ["tongban.exchange.tasks_query", "tongban.exchange.tasks_access"]
# Access requests not decided by their due date are flagged to supervisors (once each) this often.
TONGBAN_EXCHANGE_OVERDUE_SWEEP_SECONDS = float(os.environ.get("TONGBAN_EXCHANGE_OVERDUE_SWEEP_SECONDS", "900"))

# E-licences: signature algorithm (sm2 | ed25519), the master key that encrypts seal keys at rest
# (empty: derived from SECRET_KEY), how often expiry runs and how many days ahead holders are reminded.
TONGBAN_SEAL_ALGORITHM = os.environ.get("TONGBAN_SEAL_ALGORITHM", "sm2")
TONGBAN_SEAL_MASTER_KEY = os.environ.get("TONGBAN_SEAL_MASTER_KEY", "")
TONGBAN_LICENCE_SWEEP_SECONDS = float(os.environ.get("TONGBAN_LICENCE_SWEEP_SECONDS", "3600"))
TONGBAN_LICENCE_REMIND_DAYS = int(os.environ.get("TONGBAN_LICENCE_REMIND_DAYS", "30"))
# Imports of historical licences (存量证照入库): largest file accepted, and whether a batch runs on a
# thread of the web process when no broker is configured (False: inline, as the tests do).
TONGBAN_LICENCE_IMPORT_MAX_BYTES = int(os.environ.get("TONGBAN_LICENCE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
TONGBAN_LICENCE_IMPORT_BACKGROUND = env_bool("TONGBAN_LICENCE_IMPORT_BACKGROUND", True)

# The rebuild of open cases' deadlines after a calendar change runs on a thread of the web process
# when no broker is configured (False: inline, as the tests do).
TONGBAN_DEADLINE_RECOMPUTE_BACKGROUND = env_bool("TONGBAN_DEADLINE_RECOMPUTE_BACKGROUND", True)

# Periodic jobs: read by Celery beat in production and by the embedded scheduler of `tongban serve`.
CELERY_BEAT_SCHEDULE = {
    "audit-seal": {"task": "tongban.core.tasks.audit_seal", "schedule": TONGBAN_AUDIT_SEAL_SECONDS},
    "audit-checkpoint": {"task": "tongban.core.tasks.audit_checkpoint", "schedule": TONGBAN_AUDIT_CHECKPOINT_SECONDS},
    "events-dispatch": {"task": "tongban.core.tasks.events_dispatch", "schedule": 2.0},
    "cases-clock-sweep": {"task": "tongban.cases.tasks.clock_sweep", "schedule": TONGBAN_CLOCK_SWEEP_SECONDS},
    "exchange-calllog-prune": {
        "task": "tongban.exchange.tasks_query.calllog_prune",
        "schedule": TONGBAN_EXCHANGE_LOG_PRUNE_SECONDS,
    },
    "exchange-imports-sweep": {"task": "tongban.exchange.tasks.imports_sweep", "schedule": 60.0},
    "licences-expiry-sweep": {"task": "tongban.licences.tasks.expiry_sweep", "schedule": TONGBAN_LICENCE_SWEEP_SECONDS},
    "licences-imports-sweep": {"task": "tongban.licences.tasks.imports_sweep", "schedule": 60.0},
    "exchange-access-overdue": {
        "task": "tongban.exchange.tasks_access.access_overdue_sweep",
        "schedule": TONGBAN_EXCHANGE_OVERDUE_SWEEP_SECONDS,
    },
}

# Covering indexes (INCLUDE) serve PostgreSQL; the embedded SQLite builds them without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
