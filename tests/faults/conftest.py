"""Fault tests: the services they stop are their own (a private redis-server, a
private PostgreSQL cluster), so the shared ones are never disturbed."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.core.redis import arq_settings

# The real processes of tests/e2e, for the load test (a fresh installation a module).
from tests.e2e.conftest import sink, stack, tenant  # noqa: F401
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


_FIGURES: list[str] = []


@pytest.fixture
def figures() -> Any:
    """`figures("name", value)`: a figure the issue asks for, printed at the end of
    the run (pytest's terminal summary), so every CI log carries them."""

    def record(name: str, value: object) -> None:
        _FIGURES.append(f"{name}: {value}")

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("fault figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
