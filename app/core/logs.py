"""Structured logs through structlog: one JSON line per request and per job, never
message bodies; human-readable lines in `mailroom dev` (LOG_FORMAT=console).

Every library logs through the standard `logging` module (ours with
`extra={"fields": {...}}`, arq, aiosmtpd, uvicorn and tortoise with prose), and one
root handler renders every record with the same structlog processors, so all lines
have one shape: timestamp (ISO, UTC), level, logger, event, then the context, then
the record's own fields.

The context (request_id, operation, organization_id while a request is served;
task_id, kind, organization_id while a job runs) lives in structlog's context
variables; it is copied onto each record when the record is made, so a record
formatted later (by a test's handler, say) still names its request.
"""

import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from app.settings import get_settings

bind = structlog.contextvars.bind_contextvars
bound = structlog.contextvars.bound_contextvars

# An incoming X-Request-ID (or operation name) is logged only when it cannot forge
# or flood a log line.
_SANE_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEAD = ("timestamp", "level", "logger", "event")

# arq logs the start, end and retry of every job at INFO ("0.12s → id:job()") and
# each health record; Mailroom's own job line says more, so these go to DEBUG.
# aiosmtpd logs every SMTP command, with the addresses in it, at INFO; httpx every
# webhook request with its URL (Mailroom's own delivery line names the webhook).
QUIETER = {"mail.log": logging.WARNING, "httpx": logging.WARNING}
_ARQ_CHATTER = re.compile(r"%6\.2fs [→←↻] |recording health")


def is_sane_token(value: str) -> bool:
    """At most 64 of [A-Za-z0-9._-]: nothing that could forge or flood a line."""
    return _SANE_TOKEN.fullmatch(value) is not None


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a fresh one."""
    if header is not None and is_sane_token(header):
        return header
    return uuid.uuid4().hex


def current_context() -> dict[str, Any]:
    return structlog.contextvars.get_contextvars()


def replace_context(values: dict[str, Any]) -> None:
    structlog.contextvars.clear_contextvars()
    bind(**values)


_make_record = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    context = current_context()
    record.context = context
    record.request_id = context.get("request_id")
    return record


def _from_record(_: Any, __: str, event_dict: EventDict) -> EventDict:
    """A standard record's context and `fields` into the event."""
    record: logging.LogRecord | None = event_dict.get("_record")
    if record is not None:
        event_dict.update(getattr(record, "context", {}))
        event_dict.update(getattr(record, "fields", {}))
    return event_dict


def _timestamp(_: Any, __: str, event_dict: EventDict) -> EventDict:
    record: logging.LogRecord | None = event_dict.get("_record")
    at = datetime.fromtimestamp(record.created, UTC) if record else datetime.now(UTC)
    event_dict["timestamp"] = at.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    return event_dict


def _head_first(_: Any, __: str, event_dict: EventDict) -> EventDict:
    head = {key: event_dict.pop(key) for key in HEAD if key in event_dict}
    return {**head, **event_dict}


PRE_CHAIN: list[Processor] = [
    _from_record,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    _timestamp,
]


class _Formatter(structlog.stdlib.ProcessorFormatter):
    def __init__(self, *rendering: Processor) -> None:
        super().__init__(
            foreign_pre_chain=PRE_CHAIN,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *rendering,
            ],
        )


class JsonFormatter(_Formatter):
    """One JSON object a line."""

    def __init__(self) -> None:
        super().__init__(
            structlog.processors.format_exc_info,
            _head_first,
            structlog.processors.JSONRenderer(default=str),
        )


class ConsoleFormatter(_Formatter):
    """For people: `12:00:00.123Z [info] request  method=POST path=/graphql ...`."""

    def __init__(self) -> None:
        super().__init__(structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()))


class _ArqJobLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and _ARQ_CHATTER.match(str(record.msg)):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class _MailroomHandler(logging.StreamHandler):
    """The root handler configure_logging installs (once a process)."""


def configure_logging() -> None:
    """Route every standard record, ours and the libraries', through structlog."""
    settings = get_settings()
    if logging.getLogRecordFactory() is not _record_with_context:
        logging.setLogRecordFactory(_record_with_context)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            _timestamp,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _MailroomHandler)), None)
    if handler is None:
        handler = _MailroomHandler(sys.stderr)
        root.addHandler(handler)
    console = settings.log_format == "console"
    handler.setFormatter(ConsoleFormatter() if console else JsonFormatter())
    root.setLevel(settings.log_level.upper())
    for name, level in QUIETER.items():
        logging.getLogger(name).setLevel(level)
    arq_worker = logging.getLogger("arq.worker")
    if not any(isinstance(f, _ArqJobLines) for f in arq_worker.filters):
        arq_worker.addFilter(_ArqJobLines())
