"""Settings, every one read from the environment with a safe development default.

The README documents each variable. `create_app(config)` takes one of these classes or a dict of overrides.
"""

import os
import re
import tempfile
from datetime import date, time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r}: a whole number expected") from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{name}={value!r}: at least {minimum} expected")
    return number


def _database_url(variable: str = "DATABASE_URL", default: str = f"sqlite:///{INSTANCE_DIR / 'vmk.sqlite3'}") -> str:
    url = os.environ.get(variable) or default
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _dates(name: str, default: str = "") -> tuple[date, ...]:
    """A list of ISO dates separated by commas or spaces; unset means the default, set empty means none."""
    value = os.environ.get(name, default)
    dates = set()
    for item in re.split(r"[,\s]+", value.strip()):
        if not item:
            continue
        try:
            dates.add(date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not a date written as YYYY-MM-DD") from None
    return tuple(sorted(dates))


def _disjoint(name: str, dates: tuple[date, ...], other_name: str, other: tuple[date, ...]) -> tuple[date, ...]:
    if both := sorted(set(dates) & set(other)):
        raise ValueError(f"{name} and {other_name} both list {', '.join(map(str, both))}")
    return dates


def _hours_window(name: str) -> tuple[time, time] | None:
    """`HH:MM-HH:MM` (the end may be 24:00) as a pair of wall-clock times; empty means the whole day."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})", value)
    try:
        start = time.fromisoformat(match[1])
        end = time(0) if match[2] == "24:00" else time.fromisoformat(match[2])
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: working hours written as HH:MM-HH:MM expected, e.g. 09:00-18:00") from None
    if end != time(0) and start >= end:
        raise ValueError(f"{name}={value!r}: the working hours must start before they end")
    return start, end


# Days off on weekdays by the production calendar: 2026 by Government decree No. 1466 of 24 September 2025 (3 and 4
# January moved to 9 January and 31 December); 2027 by Article 112 of the Labour Code only (1-8 January, 23 February,
# 8 March, and 1 May, 9 May, 12 June falling on a weekend moved to the next Monday by its second part) until the 2027
# decree, which moves 2 and 3 January, is confirmed. Saturdays and Sundays need no listing.
RUSSIAN_DAYS_OFF_2026_2027 = (
    "2026-01-01 2026-01-02 2026-01-05 2026-01-06 2026-01-07 2026-01-08 2026-01-09 2026-02-23 2026-03-09 2026-05-01 "
    "2026-05-11 2026-06-12 2026-11-04 2026-12-31 "
    "2027-01-01 2027-01-04 2027-01-05 2027-01-06 2027-01-07 2027-01-08 2027-02-23 2027-03-08 2027-05-03 2027-05-10 "
    "2027-06-14 2027-11-04"
)


class Config:
    ENV_NAME = os.environ.get("VMK_ENV", "development")  # development | production | testing
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SITE_NAME = os.environ.get("SITE_NAME", "Виртуальный методический кабинет")
    ORGANIZATION_NAME = os.environ.get(
        "ORGANIZATION_NAME",
        "Отдел образования администрации Нефтекумского городского округа Ставропольского края",
    )
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/Moscow")
    REGISTRATION_REQUIRES_APPROVAL = _bool("REGISTRATION_REQUIRES_APPROVAL", True)

    # Flask-Mail's own names. No MAIL_SERVER: messages are written to the log (development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ВМК <noreply@example.org>")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)  # seconds; Flask-Mail sets none of its own
    # The outbox (app/mail/) and its worker (`flask mail worker`).
    MAIL_WORKER_INTERVAL = _int("MAIL_WORKER_INTERVAL", 5, minimum=1)  # seconds between looks at the outbox
    MAIL_GROUPING_SECONDS = _int("MAIL_GROUPING_SECONDS", 300)  # notices within this window go out as one e-mail
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60, minimum=1)  # doubled after each temporary failure
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 1800, minimum=1)  # … up to this
    MAIL_GIVE_UP_HOURS = _int("MAIL_GIVE_UP_HOURS", 48, minimum=1)  # then the message is marked failed
    MAIL_CLAIM_SECONDS = _int("MAIL_CLAIM_SECONDS", 600, minimum=60)  # a claimed message unsent this long is retried
    MAIL_KEEP_DAYS = _int("MAIL_KEEP_DAYS", 30, minimum=1)  # sent, skipped and failed messages are deleted after
    # Notifications (app/notifications/).
    DIGEST_HOUR = _int("DIGEST_HOUR", 7, minimum=0)  # local hour of the daily digest, unless the user chose another
    NOTIFICATION_RETENTION_DAYS = _int("NOTIFICATION_RETENTION_DAYS", 180, minimum=1)  # older ones are deleted

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)

    # Link lifetimes (seconds).
    EMAIL_CONFIRM_MAX_AGE = _int("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600)
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 2 * 3600)

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"ru": "Русский", "en": "English"}

    WTF_CSRF_TIME_LIMIT = None  # a long answer must not die with its token; the token is tied to the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PER_PAGE = 20
    # SQLite's page cache per connection, KiB (its own default is 2 000): a worker's memory (issue 3) against reads
    # from the operating system's file cache.
    SQLITE_CACHE_KIB = _int("SQLITE_CACHE_KIB", 256)
    # Rendered posts and list rows kept per worker process (app/fragments.py); 0 turns the cache off.
    FRAGMENT_CACHE_BYTES = _int("FRAGMENT_CACHE_BYTES", 2 * 1024 * 1024)

    # Consultations (issue 5): the response-time target counts working time only (app/consultations/clock.py).
    CONSULTATION_TARGET_HOURS = _int("CONSULTATION_TARGET_HOURS", 48, minimum=1)
    CONSULTATION_HOLIDAYS = _dates("CONSULTATION_HOLIDAYS", RUSSIAN_DAYS_OFF_2026_2027)
    CONSULTATION_WORKING_DAYS = _disjoint(
        "CONSULTATION_WORKING_DAYS", _dates("CONSULTATION_WORKING_DAYS"), "CONSULTATION_HOLIDAYS", CONSULTATION_HOLIDAYS
    )
    CONSULTATION_WORKING_HOURS = _hours_window("CONSULTATION_WORKING_HOURS")

    # Attachments of posts: stored under random names outside static/, served only through the app.
    ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
    ATTACHMENT_MAX_PER_POST = _int("ATTACHMENT_MAX_PER_POST", 10)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    # A whole request larger than every allowed file plus the form gets the 413 page; one oversized file inside an
    # allowed request gets a message beside the field instead.
    MAX_CONTENT_LENGTH = ATTACHMENT_MAX_BYTES * ATTACHMENT_MAX_PER_POST + 2 * 1024 * 1024


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = _database_url("TEST_DATABASE_URL", "sqlite:///:memory:")
    MAIL_SERVER = ""
    RATELIMIT_STORAGE_URI = "memory://"
    BASE_URL = "http://localhost"
    # Hashing with scrypt costs ~50 ms a user; tests make thousands. Production always uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Off for most tests (they post forms directly); the `csrf` fixture turns it on, and browser tests use it.
    WTF_CSRF_ENABLED = False
    # Files the tests store (the demo's attachments on the live browser server, among others) stay out of instance/.
    UPLOAD_FOLDER = str(Path(tempfile.gettempdir()) / "vmk-test-uploads")


def config_from_env():
    return ProductionConfig if os.environ.get("VMK_ENV") == "production" else Config
