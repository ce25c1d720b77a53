"""A bad setting as the checks report it, and the names and expectations they use.
Values are shown masked: a password in a URL never reaches the output."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

# What each command reads; `check_or_exit(*ALL)` for the long-running services.
DATABASE_URL = "DATABASE_URL"
REDIS_URL = "REDIS_URL"
MAIL_URL = "MAIL_URL"
BLOB_STORE_URL = "BLOB_STORE_URL"
VAR_DIR = "VAR_DIR"
LOG_LEVEL = "LOG_LEVEL"
SECRET_KEY = "SECRET_KEY"
ALL = (
    DATABASE_URL,
    REDIS_URL,
    MAIL_URL,
    BLOB_STORE_URL,
    VAR_DIR,
    LOG_LEVEL,
    SECRET_KEY,
)
DATABASE = (DATABASE_URL, VAR_DIR)

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
EXPECT_BLOBS = "file:///ABSOLUTE/DIR or s3://BUCKET[/PREFIX]"
EXPECT_SECRET_KEY = "at least 32 random characters (`openssl rand -base64 32`)"
EXPECT_BUCKET = (
    "an existing bucket these AWS_* credentials may read and write "
    "(AWS_ENDPOINT_URL for a store that is not AWS S3)"
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
