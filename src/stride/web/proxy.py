"""The client's address behind a reverse proxy: ``X-Forwarded-For`` is believed only when the
connection comes from one of ``STRIDE_TRUSTED_PROXIES`` (a pure ASGI middleware).

uvicorn's own proxy-header handling is off in ``stride serve``: by default it believes any loopback
client, so anyone on the host could write an address of their choice into the audit and security
logs and get a fresh log-in throttle with every request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from stride.config import IPNetwork


def _trusted(address: str, networks: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_behind(peer: str, forwarded_for: str, networks: Sequence[IPNetwork]) -> str:
    """The client address: ``peer`` unless it is a trusted proxy; then the right-most entry of
    ``X-Forwarded-For`` that is not itself a trusted proxy (entries to its left were written by the
    client and prove nothing). A malformed entry stops the walk at the last trusted hop."""
    if not networks or not _trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, *, networks: Sequence[IPNetwork]) -> None:
        self.app = app
        self.networks = tuple(networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks and scope.get("client"):
            host, port = scope["client"]
            if _trusted(host, self.networks):
                headers = {k.lower(): v for k, v in scope["headers"]}
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                client = client_behind(host, forwarded, self.networks)
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
                scope = dict(scope)
                scope["client"] = (client, port if client == host else 0)
                if proto in ("http", "https") and scope["type"] == "http":
                    scope["scheme"] = proto
        await self.app(scope, receive, send)
