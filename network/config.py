"""Configuration, read from the environment. Every setting has a safe default for one small VPS."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(
    os.environ.get("INSTANCE_PATH", Path(__file__).resolve().parent.parent / "instance"))


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str] | None:
    """A comma-separated setting as a list; None when it is not set."""
    value = os.environ.get(name)
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'network.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key() -> str:
    """SECRET_KEY from the environment, else one kept in instance/ so restarts keep sessions.

    Several app servers must share SECRET_KEY through the environment.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


class Config:
    SITE_NAME = os.environ.get("SITE_NAME", "Riverside Partnership Network")
    BOROUGH_NAME = os.environ.get("BOROUGH_NAME", "Riverside")
    TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
    COORDINATOR_EMAIL = os.environ.get("COORDINATOR_EMAIL", "coordinators@example.org")

    # A smaller compiled-statement cache than the default 500: the app has fewer distinct
    # queries than that, and each worker must fit in 80 MB.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "query_cache_size": 200}

    SESSION_COOKIE_SECURE = env_flag("COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "network_session"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_NAME = "network_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_LIFETIME = timedelta(hours=12)
    # A form left open on a phone all afternoon must still submit: the token lives as long as
    # the session it is tied to.
    WTF_CSRF_TIME_LIMIT = None
    # Every field gives its own messages; WTForms' defaults need no translations looked up for
    # each form made (docs/decisions.md).
    WTF_I18N_ENABLED = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # One uploaded file (a meeting's paper) at most; its form's request may be this and 1 MB.
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
    # Where uploaded files' bytes are kept: "database" (network.core.files.STORAGES).
    FILE_STORAGE = os.environ.get("FILE_STORAGE", "database")

    # argon2id, OWASP's minimum (t=2, m=19 MiB, p=1): strong, and small enough for a 512 MB VPS.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # (attempts, seconds), then 429. Failed logins on one account: the limit holds back only
    # addresses that have failed on it, the ceiling every address. Per address, any accounts.
    LOGIN_LIMIT_PER_ACCOUNT = (5, 15 * 60)
    LOGIN_CEILING_PER_ACCOUNT = (50, 60 * 60)
    LOGIN_LIMIT_PER_ADDRESS = (20, 15 * 60)
    RESET_LIMIT_PER_ADDRESS = (5, 60 * 60)
    APPLY_LIMIT_PER_ADDRESS = (5, 24 * 60 * 60)
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # A meeting set with less notice than this is marked "short notice" wherever it appears.
    NOTICE_PERIOD_DAYS = int(os.environ.get("NOTICE_PERIOD_DAYS", "7"))
    # How long a listing stays on the sharing board unless renewed.
    LISTING_DAYS = int(os.environ.get("LISTING_DAYS", "60"))

    INVITATION_VALID_FOR = timedelta(days=14)
    RESET_VALID_FOR = timedelta(hours=2)
    EMAIL_CHANGE_VALID_FOR = timedelta(days=2)
    # One's own archive (privacy/archive.py): its link works once, for this long; asking again
    # sooner than ARCHIVE_AGAIN_AFTER after the last time is refused (429).
    ARCHIVE_VALID_FOR = timedelta(minutes=30)
    ARCHIVE_AGAIN_AFTER = timedelta(minutes=5)

    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS", True)
    MAIL_USE_SSL = env_flag("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "network@example.org")
    # Try to deliver just-queued mail after the response has gone; `flask mail send` retries.
    MAIL_SEND_IMMEDIATELY = env_flag("MAIL_SEND_IMMEDIATELY", True)
    # Each gunicorn worker delivers what is due this often, in seconds (gunicorn.conf.py):
    # mail queued outside a request, and retries. 0: only after requests and `flask mail send`.
    MAIL_SEND_EVERY = float(os.environ.get("MAIL_SEND_EVERY", "5"))
    # Reply by email (network/mailin): notifications about a thread, a conversation or a
    # report back carry a Reply-To of this address with "+" and a signed token added to its
    # local part (reply+TOKEN@reply.example.org). Empty: no Reply-To, and nothing is received.
    MAIL_REPLY_ADDRESS = os.environ.get("MAIL_REPLY_ADDRESS", "").strip().lower() or None
    # How many days a reply address works after the email that carried it.
    MAIL_REPLY_DAYS = int(os.environ.get("MAIL_REPLY_DAYS", "60"))
    # A received message larger than this (bytes, as the mail server hands it over) is refused.
    MAIL_IN_MAX_BYTES = int(os.environ.get("MAIL_IN_MAX_BYTES", str(5 * 1024 * 1024)))
    # One explanation of a reply not posted per address in this time, at most.
    MAIL_NOTICE_EVERY = timedelta(hours=1)
    # The weekday the weekly bulletin goes out on (the `bulletin` job, at 07:30).
    BULLETIN_WEEKDAY = os.environ.get("BULLETIN_WEEKDAY", "monday")
    # The scheduled jobs (network/tasks.py) are run by `flask jobs run` every minute (cron or
    # a systemd timer). With JOBS_IN_WORKERS each gunicorn worker also runs what is due every
    # JOBS_EVERY seconds (`make run` sets it; docs/decisions.md, 2026-12-06).
    JOBS_IN_WORKERS = env_flag("JOBS_IN_WORKERS", False)
    JOBS_EVERY = float(os.environ.get("JOBS_EVERY", "60"))
    # The nightly backup job (02:30) writes network-<date>.db (or .dump on PostgreSQL) here and
    # removes its own files older than BACKUP_KEEP_DAYS days. Unset: no backup job.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", "").strip() or None
    BACKUP_KEEP_DAYS = int(os.environ.get("BACKUP_KEEP_DAYS", "14"))
    # How many days what holds personal details is kept once it has no use (privacy/retention.py,
    # the daily `retention` job; each default and why in docs/decisions.md, 2026-12-06):
    # login-limit hits; sessions ended; the address, body and headers of mail sent or given up
    # on (and replies received); emailed links and invitations ended, archive links.
    RETAIN_THROTTLE_DAYS = int(os.environ.get("RETAIN_THROTTLE_DAYS", "7"))
    RETAIN_SESSIONS_DAYS = int(os.environ.get("RETAIN_SESSIONS_DAYS", "90"))
    RETAIN_MAIL_DAYS = int(os.environ.get("RETAIN_MAIL_DAYS", "30"))
    RETAIN_TOKENS_DAYS = int(os.environ.get("RETAIN_TOKENS_DAYS", "30"))
    # Who runs the network, as the default privacy page names them (the data controller), and
    # where to write about one's data. Default: SITE_NAME's coordinators, COORDINATOR_EMAIL.
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "").strip() or None
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "").strip() or None

    # Calendars brought in (calendar/sources.py, `flask calendar import`): an ICS body read to
    # at most this many bytes, within these seconds (each read, and the whole fetch); at most
    # this many events a source (a series counts each occurrence), series read this many
    # months ahead. Addresses on private, loopback and link-local networks are refused unless
    # allowed (tests serve feeds on 127.0.0.1).
    CALENDAR_IMPORT_MAX_BYTES = int(os.environ.get("CALENDAR_IMPORT_MAX_BYTES",
                                                   str(5 * 1024 * 1024)))
    CALENDAR_IMPORT_MAX_EVENTS = int(os.environ.get("CALENDAR_IMPORT_MAX_EVENTS", "5000"))
    CALENDAR_IMPORT_TIMEOUT = float(os.environ.get("CALENDAR_IMPORT_TIMEOUT", "10"))
    CALENDAR_IMPORT_TOTAL_TIMEOUT = float(os.environ.get("CALENDAR_IMPORT_TOTAL_TIMEOUT", "30"))
    CALENDAR_IMPORT_MONTHS = int(os.environ.get("CALENDAR_IMPORT_MONTHS", "18"))
    CALENDAR_IMPORT_ALLOW_PRIVATE = env_flag("CALENDAR_IMPORT_ALLOW_PRIVATE", False)

    # The one address every link that leaves the site is built on (email, feeds), whatever
    # Host a request names: https://network.example.org. Required unless debugging.
    BASE_URL = os.environ.get("BASE_URL", "").strip() or None
    # Hosts requests may name; others are refused (400). Default: BASE_URL's host.
    TRUSTED_HOSTS = env_list("TRUSTED_HOSTS")
    # How many reverse proxies (nginx, a PaaS router) sit in front and set X-Forwarded-For and
    # X-Forwarded-Proto. X-Forwarded-Host is never trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    # What a closed account's writing becomes (network/privacy/closing.py): "keep" leaves it,
    # shown as by "a former member"; "remove" replaces its text with a fixed marker, the rows
    # kept so threads and reports still make sense.
    CLOSED_ACCOUNT_TEXT = os.environ.get("CLOSED_ACCOUNT_TEXT", "keep").strip().lower()

    BABEL_DEFAULT_LOCALE = "en_GB"
    PAGE_SIZE = 20  # items on a page of any list: posts, threads, organisations, people
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "text/javascript",
                          "text/calendar", "application/json"]
    COMPRESS_MIN_SIZE = 500
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.SECRET_KEY = secret_key()


class TestConfig(Config):
    __test__ = False  # not a pytest test class
    TESTING = True
    WTF_CSRF_ENABLED = False
    MAIL_SEND_IMMEDIATELY = False
    MAIL_SERVER = None
    JOBS_IN_WORKERS = False  # a test starts the runner itself (tests/test_jobs.py)
    BACKUP_DIR = None
    REDIS_URL = None
    BASE_URL = "http://localhost"
    TRUSTED_HOSTS = None  # BASE_URL's host, as in production
    # Fast hashes in tests that are not about hashing; the hashing test uses Config's.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024

    def __init__(self, database_uri: str | None = None) -> None:
        self.SQLALCHEMY_DATABASE_URI = database_uri or "sqlite://"
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
