"""Settings for every environment, read from the environment.

With nothing set this is the embedded default for a laptop: SQLite, tasks run in-process,
email printed to the console. The production shape (docker-compose.yml) sets DATABASE_URL,
CELERY_BROKER_URL, REDIS_URL, DJANGO_SECRET_KEY and DJANGO_DEBUG=false. The README lists
every variable.
"""

from pathlib import Path

import dj_database_url

from foundation.env import env_bool, env_int, env_list, env_str
from foundation.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"  # noqa: S105 - laptop default only
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DJANGO_DEBUG is false")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The council running this instance; shown in the header and on every paper.
COUNCIL_NAME = env_str("COUNCIL_NAME", "Demo County Council")
PARTNERSHIP_NAME = env_str("PARTNERSHIP_NAME", "Demo Safeguarding Children Partnership")
COUNCIL_COLOUR = env_str("COUNCIL_COLOUR", "#1d70b8")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tables2",
    "django_filters",
    "django_celery_beat",
    "csp",
    "simple_history",
    "foundation",
    "partners",
    "inspections",
    "actionplans",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "foundation.sessions.SessionMiddleware",  # Django's, without a database read on 5xx responses
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "foundation.web.PrivateNoStoreMiddleware",  # no cache keeps what a signed-in person sees
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "partners.mfa.RequireMFAMiddleware",
    "csp.middleware.CSPMiddleware",
    "partners.security_log.RefusedAccessLogMiddleware",
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
                "config.context_processors.council",
                "config.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Options from DATABASE_URL's query string (?sslmode=require, say) are kept; these are added.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        # JIT compilation cost the dashboard's trend query ~56 s of its 57 s at county scale
        # (make bench): these are short OLTP queries, which JIT only slows down.
        "options": "-c jit=off",
        # A database that does not answer at all (rather than refusing) fails the request
        # within this many seconds, as the "service unavailable" page, instead of hanging it.
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
    })
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes and threads (runserver, gunicorn's, an eager task, a test) share one
    # file: a writer waits for the others (up to `timeout` seconds), it does not fail with
    # "database is locked". WAL lets readers carry on while one writes; IMMEDIATE takes the
    # write lock at BEGIN, where SQLite's busy wait applies (a deferred transaction that
    # read first and then writes is refused at once, which was a 500; tests/test_sqlite_concurrency.py).
    _sqlite = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite.setdefault("timeout", 20)
    _sqlite.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
# Who sees what: the one access rule (actionplans.access.visible_to), through which the
# apps below it scope their own rows (foundation.scope.visible_to).
ACCESS_RULE = "actionplans.access.visible_to"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: sign in by email; throttled attempts; no self sign-up (accounts are issued).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_ADAPTER = "partners.adapters.AccountAdapter"
# An account's address is the one an administrator (or load_demo) gave it, verified on
# creation (partners.services.account_email_confirm). A person who changes it gives their
# password again, and the new address is used (to sign in, for mail) only once the link
# sent to it is followed; the old address is told. Sign-in refuses an unproved address.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Password reset: no mail at all to an address that is no account's (the page reads the same).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# The client address for the throttle and the security log: with N proxies of ours in
# front (each appending to X-Forwarded-For), the Nth address from the right; 0 = the peer.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Failed sign-ins count per attempt and are given back when the password was right.
# 300 per 5 minutes per client address: a council's staff may all share one NAT address,
# so this only stops one address trying password after password across many accounts.
# Per account *and* client address (partners.adapters): 5 per 5 minutes and 20 per hour,
# so guessing one person's password (or, with it, their TOTP code) is slow, and someone
# guessing from elsewhere never holds the real person up.
# Every sign-in form sent: 200 a minute per address (allauth's 30 would turn away a
# council's morning rush through one NAT address).
ACCOUNT_RATE_LIMITS = {"login": "200/m/ip", "login_failed": "300/5m/ip,5/5m/key,20/1h/key"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False  # idle sessions always expire
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# allauth refuses by default to add an address to an account with MFA, in case someone
# signs up and claims another person's address. Nobody signs up here, sign-in and reset
# take only a proved address, and the change needs the password again and the link sent
# to the new address (above), so a person with MFA may change their own address.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", PARTNERSHIP_NAME)
# Every account outside the demo must set up an authenticator before using the service.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)

# Idle sessions expire; every request renews the clock.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d %B %Y", "%d %b %Y"]

STATIC_URL = "/static/"
# Where collectstatic writes (the Dockerfile runs it); served by WhiteNoise.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Evidence and report files are private: kept outside any served folder and handed out only
# by access-checked views. There is deliberately no MEDIA_URL route. A local folder by
# default; an S3-compatible object store when S3_BUCKET is set (foundation/storage.py), so
# that web and worker replicas on different machines share them.
PRIVATE_FILES_ROOT = Path(env_str("PRIVATE_FILES_ROOT", str(BASE_DIR / "var" / "files")))
STORAGES = {
    "default": default_storage_config(private_files_root=PRIVATE_FILES_ROOT),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# A ClamAV daemon ("127.0.0.1:3310" or "unix:///run/clamav/clamd.ctl"); empty skips scanning (logged).
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # django-redis. While Redis is unreachable every process falls back to its own memory
    # (foundation/cache.py), so that pages, sign-in throttling and locks keep working; what is
    # ignored is logged.
    CACHES = {
        "default": {
            "BACKEND": "foundation.cache.RedisCacheWithLocalFallback",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery. With no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
# Every task has a time limit, so that no input can hold a worker for ever: at the soft limit
# the task is interrupted (SoftTimeLimitExceeded) and records its failure; at the hard limit
# the worker process is killed and replaced. Emails, sweeps and snapshots take seconds;
# papers have their own, longer limits (the 500-action PDF takes about 10 s).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
REPORT_TASK_SOFT_TIME_LIMIT = env_int("REPORT_TASK_SOFT_TIME_LIMIT", 300)
REPORT_TASK_TIME_LIMIT = env_int("REPORT_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work must not hang while the broker is down: publishing gives up
# at once on a refused connection, within about 4 s on a Redis that accepts and then says
# nothing (socket_timeout, once retried), and the work stays recorded in the database (a
# report job stays queued until reports.tasks.dispatch_stalled_report_jobs hands it over).
# socket_timeout stays above kombu's 1 s BRPOP wait, which synchronous reads include.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.5}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where django.core.mail.backends.filebased.EmailBackend writes (the services tests use it).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "action-plans@localhost")

# The change history is evidence: nobody edits or reverts it from the application.
SIMPLE_HISTORY_REVERT_DISABLED = True

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A load balancer probes /healthz over plain HTTP inside the network: answer, not redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy: scripts only from this site, never inline; nothing framed.
# Inline style attributes are allowed (server-rendered SVG charts use them); scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
