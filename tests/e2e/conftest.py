"""End-to-end fixtures: one fresh Mailroom installation per test module, its
commands run as their own OS processes (see harness.py).

When a test fails, the tail of every process's stdout and stderr is added to its
report.
"""

from collections.abc import Iterator

import pytest

from .harness import LIVE_STACKS, SmtpSinkServer, Stack, Tenant, running_sink

INBOX = "inbox@demo.example.com"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        for stack in LIVE_STACKS:
            report.sections.append(
                (f"mailroom process logs ({stack.root.name})", stack.tails())
            )
    if report.when == "teardown":
        LIVE_STACKS[:] = [s for s in LIVE_STACKS if not s.closed]
    return report


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSinkServer]:
    """A real SMTP server on loopback: MAIL_URL of the processes points at it."""
    with running_sink() as server:
        yield server


@pytest.fixture(scope="module")
def stack(sink: SmtpSinkServer) -> Iterator[Stack]:
    """A fresh VAR_DIR, database and Redis key prefix; nothing running yet."""
    with Stack(sink) as installation:
        yield installation


@pytest.fixture(scope="module")
def tenant(stack: Stack) -> Tenant:
    """The CLI part of the tour: migrate, an organization, a queue, the inbox."""
    return stack.provision(INBOX)
