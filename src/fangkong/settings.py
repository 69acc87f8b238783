"""Django settings, read from the environment only (see .env.example)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", Path.cwd() / "var"))


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("FANGKONG_DEBUG")


def _secret_key() -> str:
    """FANGKONG_SECRET_KEY, or a random key kept in VAR_DIR/secret_key (made on first run)."""
    key = os.environ.get("FANGKONG_SECRET_KEY", "").strip()
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("FANGKONG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "fangkong.accounts",
    "fangkong.regions",
    "fangkong.people",
    "fangkong.health",
    "fangkong.screening",
    "fangkong.supplies",
    "fangkong.beds",
    "fangkong.funds",
    "fangkong.reports",
    "fangkong.volunteers",
    "fangkong.assistance",
    "fangkong.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.common.locale.ChosenLanguageMiddleware",
    "fangkong.common.nul.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

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
                "fangkong.accounts.context.capabilities",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fangkong.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # The screens' queries are short; PostgreSQL's JIT judges some of them (coverage's
    # per-person probes, the dashboard) costly enough to compile, and the compiling takes
    # longer than the query (docs/benchmarks.md). Off for our connections unless the URL
    # says otherwise (``?options=-c%20jit%3Don``).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = (_options.get("options", "") + " -c jit=off").strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "people:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# One login policy for every door (app, admin, API token): accounts/backends.py.
AUTHENTICATION_BACKENDS = ["fangkong.accounts.backends.LoginPolicyBackend"]
# Failed logins within the window lock one account after LOGIN_FAILURE_LIMIT, and every login
# from one address (an office behind one NAT) only after LOGIN_ADDRESS_FAILURE_LIMIT; see
# docs/scope.md.
LOGIN_FAILURE_LIMIT = int(os.environ.get("FANGKONG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("FANGKONG_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# The read log (who opened whose record) is written in bulk: after a response once this many
# views wait or the oldest is this old (a crash loses at most that many seconds of it).
VIEW_LOG_BATCH = 500
VIEW_LOG_SECONDS = 5.0

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Set FANGKONG_STATIC_ROOT and run `fangkong manage collectstatic` in production; without it
# the files are served straight from the packages (fine for the demo and small sites).
STATIC_ROOT = os.environ.get("FANGKONG_STATIC_ROOT") or None
# Front-end libraries come from npm (package.json) and are served by the project itself.
NODE_MODULES = Path(
    os.environ.get("FANGKONG_NODE_MODULES", BASE_DIR.parent.parent / "node_modules")
)
STATICFILES_DIRS = [BASE_DIR / "static"]
if (NODE_MODULES / "htmx.org" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"))
if (NODE_MODULES / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", NODE_MODULES / "echarts" / "dist"))
if (NODE_MODULES / "@zxing" / "browser" / "umd").is_dir():  # the sampling page's camera
    STATICFILES_DIRS.append(("vendor/zxing", NODE_MODULES / "@zxing" / "browser" / "umd"))
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto): secure cookies,
# redirect plain HTTP, and HSTS. Off by default: many intranet deployments are plain HTTP.
HTTPS = _flag("FANGKONG_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 30 * 24 * 3600 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# Login failure counts and region counts live in the cache. One process (fangkong serve) can
# keep them in memory; several server processes need a shared cache: FANGKONG_CACHE_URL=redis://…
CACHE_URL = os.environ.get("FANGKONG_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Reverse proxies whose X-Forwarded-For is believed (the audit log records the real address).
TRUSTED_PROXIES = frozenset(
    a.strip() for a in os.environ.get("FANGKONG_TRUSTED_PROXIES", "").split(",") if a.strip()
)

PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
