"""herzdigital settings, read from the environment (django-environ).

One module for every environment. ``HERZDIGITAL_ENV=production`` switches on the production
hardening and refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``; the default
(``development``) runs on embedded defaults: SQLite, a file-system Celery broker and a file cache,
so ``make run`` needs no server. Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

HERZDIGITAL_ENV = env.str("HERZDIGITAL_ENV", default="development")
if HERZDIGITAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("HERZDIGITAL_ENV must be 'development' or 'production'.")
PRODUCTION = HERZDIGITAL_ENV == "production"

# Runtime files of the embedded defaults (SQLite, broker folders, cache, beat schedule).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-herzdigital-development-only-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

# The absolute base URL of the site, used for links in emails and for BBB callbacks, so both work
# behind a reverse proxy. Without it, development uses localhost and the run port.
# In production it is required: the workers send most emails, and they cannot guess the public address.
_SITE_URL = env.str("SITE_URL", default="")
if PRODUCTION and not _SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set in production: links in emails (most are sent by the workers) and BBB "
        "callbacks are built from it."
    )
SITE_URL = (_SITE_URL or f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
# The name of the service in pages, mail subjects and signatures, and the address people write to with
# questions (shown in every mail, the footer and the error pages; Reply-To of mails that invite a reply).
SITE_NAME = env.str("SITE_NAME", default="herzdigital")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="hilfe@herzdigital.example")
# Working days staff usually need to decide on a club's application; applicants are told so.
APPROVAL_WORKING_DAYS = env.int("APPROVAL_WORKING_DAYS", default=3)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL] if PRODUCTION else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "herzdigital",
    "accounts",
    "clubs",
    "rooms",
    "meetings",
    "recordings",
    "pages",
    "events",
    "assemblies",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "herzdigital.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "herzdigital.urls"
WSGI_APPLICATION = "herzdigital.wsgi.application"

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
                "clubs.context_processors.clubs",
                "herzdigital.context_processors.site",
                "operations.context_processors.maintenance",
            ],
        },
    },
]

FORM_RENDERER = "herzdigital.forms.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Lets herzdigital.db.fetchone_prepared prepare the join lookup, so that PostgreSQL plans it once
    # per connection instead of on every join (0.12 ms instead of 0.34 ms, issue 20). Django's own
    # cursors bind on the client and never prepare, so nothing else changes. Behind a PgBouncer in
    # transaction mode (which cannot keep prepared statements) set DB_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if PRODUCTION and not REDIS_URL:
    # The file broker and file cache only work for processes on one machine; a second web or worker
    # machine would silently see other queues, locks and rate-limit counters.
    raise ImproperlyConfigured("REDIS_URL must be set in production: the file broker and cache serve one machine.")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "herzdigital.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by the web, worker and beat processes, unlike the local-memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: login by email, verified addresses, rate limits, MFA.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None  # "remember me" checkbox on the login form
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "10/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    "confirm_email": "3/10m/key",
    # Ours, counted by the same machinery (allauth.core.ratelimit) and the same client address:
    # sending club invitations (per person), accepting them (per address), and the password check
    # of the delete-account form (per person).
    "club_invite": "30/h/user,100/d/user",
    "invitation_accept": "20/h/ip",
    "account_delete": "5/15m/user",
}
# Which address a request comes from (herzdigital/client_ip.py; allauth reads the same settings):
# the number of reverse proxies we run in front of gunicorn (the deploy/ nginx: 1), or a header that
# the proxy sets to the client's address, and the peers allowed to speak for a client at all.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1", "::1"])
ALLAUTH_RATE_LIMIT_IPV6_PREFIX = 64
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# Where the file-based backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes mails.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here in production (WhiteNoise serves it with hashed names).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (presentations) go through the "default" storage; with the file-system backend they
# live here. Never served as static media: BBB fetches presentations through short-lived signed URLs.
MEDIA_ROOT = VAR_DIR / "media"
PRESENTATION_MAX_MB = env.int("PRESENTATION_MAX_MB", default=30)
PRESENTATION_URL_MAX_AGE = env.int("PRESENTATION_URL_MAX_AGE", default=900)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Celery: Redis when REDIS_URL is set, else a file-system broker that needs no server but still
# delivers tasks to a separate worker process.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT = "herzdigital.broker:Transport"  # kombu's filesystem, quicker to stop
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Only the beat holding the leader lock schedules (herzdigital/beat.py); a second one idles.
CELERY_BEAT_SCHEDULER = "herzdigital.beat:LeaderScheduler"

HEARTBEAT_INTERVAL = env.int("HEARTBEAT_INTERVAL", default=30)
# Beat or worker silent for longer than this makes /healthz report 503.
HEARTBEAT_MAX_AGE = env.int("HEARTBEAT_MAX_AGE", default=180)
SYNC_INTERVAL = env.int("SYNC_INTERVAL", default=30)
RECORDING_SWEEP_INTERVAL = env.int("RECORDING_SWEEP_INTERVAL", default=3600)

# BBB: a server configured here is created/updated in the database by `manage.py setup_servers`
# (make run does it); staff add more servers in the admin.
BBB_URL = env.str("BBB_URL", default="")
BBB_SECRET = env.str("BBB_SECRET", default="")
BBB_CHECKSUM_ALGORITHM = env.str("BBB_CHECKSUM_ALGORITHM", default="sha256")
BBB_KIND = env.str("BBB_KIND", default="bbb")  # "scalelite" for a Scalelite load balancer
BBB_CONNECT_TIMEOUT = env.float("BBB_CONNECT_TIMEOUT", default=3.0)
BBB_READ_TIMEOUT = env.float("BBB_READ_TIMEOUT", default=10.0)
BBB_SIMULATOR_PORT = env.int("BBB_SIMULATOR_PORT", default=8090)

# Recordings: service-wide default retention (days; empty = keep forever) and cleanup limits.
RECORDING_DEFAULT_RETENTION_DAYS = env.int("RECORDING_DEFAULT_RETENTION_DAYS", default=365)
RECORDING_CLEANUP_BATCH_SIZE = env.int("RECORDING_CLEANUP_BATCH_SIZE", default=25)
RECORDING_CLEANUP_MAX_PER_RUN = env.int("RECORDING_CLEANUP_MAX_PER_RUN", default=5000)
RECORDING_DELETION_NOTICE_DAYS = env.int("RECORDING_DELETION_NOTICE_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Signed BBB URLs never reach a log line: the filter redacts `checksum=` (issue 15.5, bbb.errors).
    # A 503 from /healthz (a probe finding a process missing) is a WARNING, not an ERROR (health_probe).
    "filters": {
        "redact_checksum": {"()": "bbb.errors.RedactChecksumFilter"},
        "health_probe": {"()": "herzdigital.logging.HealthProbeFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_checksum"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "level": "INFO",
            "filters": ["redact_checksum"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A 503 from /healthz (a probe finding a process missing) is a WARNING, not an ERROR.
        "django.request": {"filters": ["health_probe"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["health_probe"],
        },
    },
}

# Sessions: with Redis, read through the cache and written to the database as well (cached_db), so a
# logged-in page view costs a Redis GET instead of a database query, and a Redis restart logs nobody
# out. Without Redis the file cache would add little: sessions stay in the database.
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db",
)
# Sessions are personal data (a login, a waiting guest's name): they expire after this many days and
# accounts.tasks.sessions_clear_expired deletes expired ones daily.
SESSION_COOKIE_AGE = int(timedelta(days=env.int("SESSION_MAX_AGE_DAYS", default=14)).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No JavaScript of ours reads the CSRF cookie (forms carry the token), so scripts need not see it.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from our own origin,
# no inline script or style at all (our JavaScript and CSS live in static/), nothing may frame us.
# No form-action: the join form's answer redirects to the BBB server, which form-action would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env.bool("USE_X_FORWARDED_PROTO", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

if not PRODUCTION:
    # Serve static files straight from the source folders while developing (no collectstatic).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=True)
BBB_SIMULATOR_SECRET = env.str("BBB_SIMULATOR_SECRET", default="herzdigital-simulator-secret")

# Only strictly necessary cookies (sessionid, csrftoken, django_language): flash messages live in the session,
# not in a cookie of their own (the privacy page lists the cookies; tests/ui/test_cookies.py checks it).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Staff without a TOTP authenticator are sent from /admin/ to set one up (accounts.middleware).
MIDDLEWARE.append("accounts.middleware.StaffMFAMiddleware")

# Meeting sync (meetings.sync/meetings.tasks): hard time limit of one server's sync task in seconds (the soft
# limit is 5 s earlier; the per-server lock lives 10 s longer), and the grace period protecting
# meetings created shortly before or during a poll from being ended by that poll's answer.
SYNC_TIME_LIMIT = env.int("SYNC_TIME_LIMIT", default=60)
SYNC_GRACE_SECONDS = env.int("SYNC_GRACE_SECONDS", default=60)
# The sync's own BBB timeouts (no retries; the next tick is the retry), shorter than BBB_*_TIMEOUT for user actions.
SYNC_CONNECT_TIMEOUT = env.float("SYNC_CONNECT_TIMEOUT", default=2.0)
SYNC_READ_TIMEOUT = env.float("SYNC_READ_TIMEOUT", default=5.0)
# A meeting younger than this that vanishes from getMeetings (or all of a server's meetings at once) is
# confirmed with getMeetingInfo before it is ended; at most SYNC_CONFIRM_MAX such calls per poll.
SYNC_YOUNG_MEETING_SECONDS = env.int("SYNC_YOUNG_MEETING_SECONDS", default=300)
SYNC_CONFIRM_MAX = env.int("SYNC_CONFIRM_MAX", default=10)
# Hard time limit of one retention cleanup run (seconds); its lock expires with it and is refreshed per batch.
RECORDING_CLEANUP_TIME_LIMIT = env.int("RECORDING_CLEANUP_TIME_LIMIT", default=3600)
# Only one beat schedules: the others idle (and say so in /healthz) while the leader refreshes this lock.
BEAT_LEADER_LOCK_TTL = env.int("BEAT_LEADER_LOCK_TTL", default=30)
# Tests only: when set, every periodic task runs every this many seconds (the integration test of two beats).
BEAT_EVERY_SECONDS = env.float("BEAT_EVERY_SECONDS", default=0)
# Scalelite servers are polled per meeting (getMeetingInfo), this many per server and tick.
SCALELITE_MEETINGS_PER_TICK = env.int("SCALELITE_MEETINGS_PER_TICK", default=50)
# Mail relay limits (clubs/mail_budget.py): emails a club's actions may cause per day (staff can change it per
# club in the admin), and people (members and guests) invited to one scheduled meeting (a general assembly
# invites every member; its guests count).
MAIL_DAILY_LIMIT_PER_CLUB = env.int("MAIL_DAILY_LIMIT_PER_CLUB", default=500)
EVENT_MAX_INVITEES = env.int("EVENT_MAX_INVITEES", default=250)
# Scheduled meetings: reminder emails go out this many minutes before each start (default: a day and an hour).
EVENT_REMINDER_OFFSETS = env.list("EVENT_REMINDER_OFFSETS", cast=int, default=[1440, 60])

# Staff notifications (operations/staff_mail.py): addresses that get a mail for every new club application
# and the daily digest (open applications, unhealthy servers, failed syncs, recordings due, clubs near a quota).
STAFF_NOTIFY_EMAILS = env.list("STAFF_NOTIFY_EMAILS", default=[])
# Share of a quota (percent) from which a club counts as "near its quota" (digest, storage warning).
QUOTA_WARNING_PERCENT = env.int("QUOTA_WARNING_PERCENT", default=80)
# Recording storage per club (bytes from BBB's <size>) when staff set nothing on the club; 0 = unlimited.
RECORDING_STORAGE_DEFAULT_QUOTA_MB = env.int("RECORDING_STORAGE_DEFAULT_QUOTA_MB", default=10240)
# /metrics (Prometheus text format) answers only with "Authorization: Bearer <token>"; empty = /metrics is off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Retention of personal data other than recordings (operations/retention.py, daily; `manage.py purge_personal_data`
# shows the plan with --dry-run). Days; 0 = keep forever.
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30)
RETENTION_INVITATION_DAYS = env.int("RETENTION_INVITATION_DAYS", default=90)
RETENTION_MEETING_NAMES_DAYS = env.int("RETENTION_MEETING_NAMES_DAYS", default=90)
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", default=730)

# Server pools and maintenance (meetings.services.server_choose): a room asking for a pool whose servers are all
# unavailable goes to another server ("any") or does not start ("none"); planned maintenance drains a server
# this many minutes before its start.
SERVER_TAG_FALLBACK = env.str("SERVER_TAG_FALLBACK", default="any")
if SERVER_TAG_FALLBACK not in {"any", "none"}:
    raise ImproperlyConfigured("SERVER_TAG_FALLBACK must be 'any' or 'none'.")
SERVER_MAINTENANCE_DRAIN_MINUTES = env.int("SERVER_MAINTENANCE_DRAIN_MINUTES", default=120)
