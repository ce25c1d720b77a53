"""Fault tests: the services they stop are their own (a private redis-server, a
private PostgreSQL cluster), so the shared ones are never disturbed."""

from collections.abc import Iterator

import pytest

from app.core.redis import arq_settings
from tests.faults.servers import RedisProcess


@pytest.fixture
def redis_server(settings) -> Iterator[RedisProcess]:
    """A private redis-server that REDIS_URL points at for this test."""
    server = RedisProcess()
    server.start()
    settings(redis_url=server.url)
    arq_settings.cache_clear()
    try:
        yield server
    finally:
        server.stop()
        arq_settings.cache_clear()


@pytest.fixture
async def redis(redis_server, redis):
    """The harness's Redis pool (and so the app's), on the private server."""
    return redis
