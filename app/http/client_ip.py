"""The client's address: the peer's, or, when the peer is a proxy named in
TRUSTED_PROXIES, the nearest address in X-Forwarded-For that no trusted proxy
added. Anyone else's X-Forwarded-For is ignored: a client could write any."""

from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.datastructures import Headers
from starlette.types import Scope

from app.settings import get_settings


def _trusted(address: str, proxies: list[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_ip(scope: Scope) -> str:
    peer = (scope.get("client") or ("unknown", 0))[0]
    proxies = get_settings().trusted_proxy_networks
    if not _trusted(peer, proxies):
        return peer
    forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):  # each proxy appends the address it saw
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer
