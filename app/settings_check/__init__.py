"""Start-up checks of every setting, so a bad value stops a command at once with one
line naming the variable, instead of a traceback deep inside a request, a job or
uvicorn's boot. Passwords never reach the output: values are printed masked.

The checks are plain functions of a `Settings` (variables.py); only the
reachability probes (reachability.py: PostgreSQL, Redis) do I/O, concurrently and
with a short timeout. problems.py has what they report; this module runs them.
"""

import asyncio
import sys
from collections.abc import Iterable

from app.settings import Settings
from app.settings_check.problems import (
    ALL,
    BLOB_STORE_URL,
    DATABASE,
    DATABASE_URL,
    LOG_LEVEL,
    MAIL_URL,
    REDIS_URL,
    SECRET_KEY,
    VAR_DIR,
    Problem,
    mask,
)
from app.settings_check.reachability import (
    TIMEOUT,
    describe,
    reach_bucket,
    reach_postgres,
    reach_redis,
)
from app.settings_check.variables import (
    CHECKS,
    check_blob_store_url,
    check_database_url,
    check_log_level,
    check_mail_url,
    check_redis_url,
    check_secret_key,
    check_var_dir,
    directory_problem,
    load_settings,
)

EXIT_CODE = 2  # a configuration error, as click's usage errors


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
    blobs = settings.blob_store_url or ""
    if BLOB_STORE_URL in names and BLOB_STORE_URL not in bad and blobs[:5] == "s3://":
        probes.append(reach_bucket(blobs, within))
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


__all__ = [
    "ALL",
    "BLOB_STORE_URL",
    "CHECKS",
    "DATABASE",
    "DATABASE_URL",
    "EXIT_CODE",
    "LOG_LEVEL",
    "MAIL_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "TIMEOUT",
    "VAR_DIR",
    "Problem",
    "check_blob_store_url",
    "check_database_url",
    "check_log_level",
    "check_mail_url",
    "check_or_exit",
    "check_redis_url",
    "check_secret_key",
    "check_var_dir",
    "describe",
    "directory_problem",
    "find_problems",
    "load_settings",
    "mask",
    "reach_bucket",
    "reach_postgres",
    "reach_redis",
]
