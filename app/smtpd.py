"""`mailroom smtpd`: receive mail over SMTP for known inbox addresses.

Unknown recipients are refused at RCPT (550) so the sending server bounces at once;
accepted messages go through the same import request and job as importEmail, with
no creator.
"""

import asyncio
import logging
import signal
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from arq.connections import ArqRedis

from app.core.errors import ErrorCode, InvalidInput
from app.core.limits import limits
from app.inboxes.service import inbox_for_recipient
from app.intake.service import request_import

log = logging.getLogger("mailroom.smtpd")


class InboxHandler:
    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if await inbox_for_recipient(address) is None:
            return "550 5.1.1 No such mailbox here"
        if address.lower() not in (a.lower() for a in envelope.rcpt_tos):
            envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        try:
            for recipient in envelope.rcpt_tos:
                task = await request_import(
                    self.redis,
                    raw=raw,
                    recipient=recipient,
                    organization_id=None,
                    creator_id=None,
                    source="smtp",
                )
                log.info("accepted", extra={"fields": {"task": str(task.id)}})
        except InvalidInput as exc:
            if exc.code is ErrorCode.PAYLOAD_TOO_LARGE:
                return "552 5.3.4 Message too big"
            return f"550 5.1.1 {exc.message}"
        except Exception:
            log.exception("could not accept a message")
            return "451 4.3.0 Temporary failure, try again later"
        return "250 Message accepted"


async def start_smtp_server(redis: ArqRedis, host: str, port: int) -> asyncio.Server:
    """An SMTP server on the running loop (which also runs the ORM)."""
    handler = InboxHandler(redis)
    limit = limits().max_message_bytes

    def factory() -> Any:
        return SMTP(
            handler,
            data_size_limit=limit,
            enable_SMTPUTF8=True,
            hostname="mailroom",
            ident="Mailroom ESMTP",
        )

    loop = asyncio.get_running_loop()
    return await loop.create_server(factory, host=host, port=port)


async def serve_smtp(host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT, then close cleanly (exit hooks run)."""
    from arq import create_pool

    from app.core.redis import arq_settings
    from app.db import close_db, open_db

    await open_db()
    redis = await create_pool(arq_settings())
    server = await start_smtp_server(redis, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("listening", extra={"fields": {"host": host, "port": port}})
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        await redis.aclose()
        await close_db()
        log.info("stopped")
