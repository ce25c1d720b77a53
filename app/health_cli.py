"""`mailroom health api|worker|smtpd`: container health checks.

Exit 0 when the service answers, else 1 with one line saying why. Never 2: Docker
reserves that code in HEALTHCHECK, so even bad settings are reported as exit 1.
Only the standard library and the worker's own Redis settings: a probe runs every
few seconds and must stay light.
"""

import asyncio
import dataclasses
import math
import smtplib
import urllib.error
import urllib.request
from typing import Annotated, NoReturn

import typer

from app.settings_check import check_redis_url, describe, load_settings, mask

health_app = typer.Typer(
    help="Health checks for containers: exit 0 if healthy, else 1 and why.",
    no_args_is_help=True,
)

Timeout = Annotated[float, typer.Option(help="Seconds to wait for an answer.")]


def _healthy(message: str) -> NoReturn:
    typer.echo(f"ok: {message}")
    raise typer.Exit(0)


def _unhealthy(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings():
    settings, problems = load_settings()
    if settings is None:
        _unhealthy(str(problems[0]))
    return settings


@health_app.command("api")
def api(
    url: Annotated[
        str | None, typer.Option(help="Base URL of the API; default PUBLIC_URL.")
    ] = None,
    timeout: Timeout = 2.0,
) -> None:
    """GET URL/readyz: healthy on 200 (the database and Redis answer)."""
    target = (url or _settings().public_url).rstrip("/") + "/readyz"
    shown = mask(target)
    # No proxies from the environment: the probe is about this host's API.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(target, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        body = exc.read(200).decode(errors="replace").replace("\n", " ").strip()
        _unhealthy(f"{shown} answered {exc.code} {body}".rstrip())
    except urllib.error.URLError as exc:
        reason = exc.reason if isinstance(exc.reason, BaseException) else exc
        _unhealthy(f"{shown} is not reachable ({describe(reason)})")
    except (OSError, ValueError) as exc:
        _unhealthy(f"{shown} is not reachable ({describe(exc)})")
    if status != 200:
        _unhealthy(f"{shown} answered {status}")
    _healthy(f"{shown} answered 200")


@health_app.command("worker")
def worker(timeout: Timeout = 2.0) -> None:
    """Healthy when an arq worker on our queue recorded its health recently.

    arq writes `<queue>:health-check` every health_check_interval (see app.worker)
    with a time-to-live just over it, so the key exists only while a worker runs.
    """
    if problem := check_redis_url(_settings()):
        _unhealthy(str(problem))
    healthy, message = asyncio.run(_worker_health(timeout))
    if not healthy:
        _unhealthy(message)
    _healthy(message)


async def _worker_health(seconds: float) -> tuple[bool, str]:
    from arq import create_pool
    from arq.constants import health_check_key_suffix

    from app.core.redis import arq_settings
    from app.tasks.queue import queue_name

    key = queue_name() + health_check_key_suffix
    # arq takes whole seconds here; wait_for below still holds us to `seconds`.
    settings = dataclasses.replace(
        arq_settings(), conn_timeout=math.ceil(seconds), conn_retries=0
    )
    try:
        pool = await asyncio.wait_for(create_pool(settings), seconds)
    except Exception as exc:
        return False, f"Redis is not reachable ({describe(exc)})"
    try:
        info = await asyncio.wait_for(pool.get(key), seconds)
    except Exception as exc:
        return False, f"Redis did not answer ({describe(exc)})"
    finally:
        await pool.aclose()
    if info is None:
        return False, (
            f"no worker on queue {queue_name()!r} recorded its health recently "
            f"(key {key!r} is missing or expired)"
        )
    text = info.decode(errors="replace") if isinstance(info, bytes) else str(info)
    return True, f"worker on queue {queue_name()!r}: {text}"


@health_app.command("smtpd")
def smtpd(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 2525,
    timeout: Timeout = 2.0,
) -> None:
    """Connect, expect the 220 banner, say NOOP (expect 250) and QUIT."""
    where = f"{host}:{port}"
    if problem := _smtp_problem(host, port, timeout):
        _unhealthy(f"{where} {problem}")
    _healthy(f"{where} greeted with 220 and answered NOOP")


def _smtp_problem(host: str, port: int, timeout: float) -> str | None:
    """What is wrong with the SMTP conversation, or None when it went well."""
    # local_hostname given: the default asks DNS for our FQDN, which can hang.
    smtp = smtplib.SMTP(timeout=timeout, local_hostname="localhost")
    try:
        code, reply = smtp.connect(host, port)
        if code != 220:
            return f"greeted with {code} {reply.decode(errors='replace')}, not 220"
        code, reply = smtp.noop()
        if code != 250:
            return f"answered NOOP with {code} {reply.decode(errors='replace')}"
        smtp.docmd("QUIT")  # its reply does not matter; we are leaving
    except smtplib.SMTPServerDisconnected as exc:
        return f"closed the connection ({exc or 'no banner'})"
    except (OSError, smtplib.SMTPException) as exc:
        return f"is not reachable ({describe(exc)})"
    finally:
        smtp.close()
    return None
