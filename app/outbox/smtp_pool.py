"""A worker's idle SMTP sessions, kept per relay URL to be reused by the next send.

A send takes the most recently used live session of its relay or opens one, and
hands it back only after the server took a message (a failed send closes its
session). A session idle SMTP_POOL_IDLE_SECONDS is closed with QUIT, as is every
session when the worker shuts down. The worker opens the pool at startup and
makes it this context's (`current_pool`); outside a worker there is none, and
each send has a session of its own. Whether a reused session went stale is the
transport's to handle: see transport.deliver.
"""

import asyncio
import contextlib
from contextvars import ContextVar

import aiosmtplib

from app.settings import get_settings

# QUIT of a session being let go: a server that does not answer is dropped.
QUIT_SECONDS = 5.0


class SmtpPool:
    def __init__(self, *, size: int, idle_seconds: float) -> None:
        self.size = size
        self.idle_seconds = idle_seconds
        self._idle: dict[str, list[tuple[aiosmtplib.SMTP, asyncio.TimerHandle]]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self.closed = False

    def take(self, relay: str) -> aiosmtplib.SMTP | None:
        """A live idle session to `relay`, now the caller's; None if there is none."""
        idle = self._idle.get(relay, [])
        while idle:
            client, expiry = idle.pop()
            expiry.cancel()
            if client.is_connected:  # else the server closed it meanwhile
                return client
        return None

    def give_back(self, relay: str, client: aiosmtplib.SMTP) -> None:
        """The caller is done with `client`: kept for the next send, or let go."""
        idle = self._idle.setdefault(relay, [])
        if self.closed or len(idle) >= self.size or not client.is_connected:
            self._let_go(client)
            return
        expiry = asyncio.get_running_loop().call_later(
            self.idle_seconds, self._expire, relay, client
        )
        idle.append((client, expiry))

    async def close(self) -> None:
        """QUIT every idle session (the worker is shutting down); the sessions in
        use are let go when given back."""
        self.closed = True
        for idle in self._idle.values():
            for client, expiry in idle:
                expiry.cancel()
                self._let_go(client)
        self._idle.clear()
        if self._closing:
            await asyncio.wait(self._closing)

    def _expire(self, relay: str, client: aiosmtplib.SMTP) -> None:
        idle = self._idle.get(relay, [])
        for i, (pooled, _) in enumerate(idle):
            if pooled is client:
                del idle[i]
                self._let_go(client)
                return

    def _let_go(self, client: aiosmtplib.SMTP) -> None:
        task = asyncio.get_running_loop().create_task(quit_session(client))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


async def quit_session(client: aiosmtplib.SMTP) -> None:
    """QUIT, or drop the connection if the server is gone or slow to answer."""
    if client.is_connected:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await client.quit(timeout=QUIT_SECONDS)
    client.close()


_current: ContextVar[SmtpPool | None] = ContextVar("smtp_pool", default=None)


def open_pool() -> SmtpPool | None:
    """The worker's pool (None with SMTP_POOL_SIZE=0), current from now on in this
    context: the jobs the worker starts afterwards inherit it."""
    settings = get_settings()
    pool = (
        SmtpPool(
            size=settings.smtp_pool_size,
            idle_seconds=settings.smtp_pool_idle_seconds,
        )
        if settings.smtp_pool_size > 0
        else None
    )
    _current.set(pool)
    return pool


def current_pool() -> SmtpPool | None:
    pool = _current.get()
    return None if pool is None or pool.closed else pool
