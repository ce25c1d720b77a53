"""Which URLs a webhook may call: http(s) with a host whose every address is public,
unless WEBHOOK_ALLOW_PRIVATE_NETWORKS. Checked when a webhook is saved and again
before each try (a name may resolve elsewhere later)."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from app.core.errors import InvalidInput
from app.settings import get_settings

MAX_URL_CHARS = 2000


def parse_url(url: str) -> tuple[str, int]:
    """(host, port) of a well-formed http(s) URL; InvalidInput on `url` otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(
            f"url must be at most {MAX_URL_CHARS} characters.", field="url"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("url is not a valid URL.", field="url") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("url must be an http:// or https:// URL.", field="url")
    if not parts.hostname:
        raise InvalidInput("url must name a host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url may not carry credentials.", field="url")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_destination(url: str) -> None:
    """InvalidInput on `url` when it may not be called."""
    host, port = parse_url(url)
    if get_settings().webhook_allow_private_networks:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        raise InvalidInput(f"The host {host} does not resolve.", field="url") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).partition("%")[0])
        if not address.is_global or address.is_multicast:
            raise InvalidInput(
                f"The host {host} resolves to {address}, a private, loopback or "
                "link-local address; webhooks call public addresses only.",
                field="url",
            )
