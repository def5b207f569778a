"""The edge: what every request is checked for before a route sees it.

- `HostileInputGuard`: the path, every query parameter and the headers the service reads are
  refused (422 `validation_failed`, the parameter named) when they hold a character of
  `api.hostile_text`; query values are passed on in NFC. One check here rather than one per
  route: a NUL in any of the listings' parameters reached PostgreSQL and was a 500.
- `ClientAddress`: the client's address is the peer's, unless the peer is a configured proxy;
  then it is the last address in `X-Forwarded-For` that is not a proxy. A header anyone can
  send must not choose which address the failed-login limiter counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import problem
from api.hostile_text import nfc, refusal

# The headers the service reads as text (the rest are the server's and the browser's business).
READ_HEADERS = (b"authorization", b"if-match", b"idempotency-key", b"x-request-id")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Refused(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _check(field: str, text: str) -> str:
    why = refusal(text)
    if why is not None:
        raise Refused(field, why)
    return nfc(text)


def _query(raw: bytes) -> bytes:
    """The query string with every name and value checked; re-encoded only if NFC changed it."""
    try:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refused("query", "the query string is not valid UTF-8 once percent-decoded") from None
    clean = [(_check("query", name), _check(name, value)) for name, value in pairs]
    if clean == pairs:
        return raw
    return urlencode(clean, quote_via=quote).encode("ascii")


def _headers(headers: Iterable[tuple[bytes, bytes]]) -> None:
    for name, value in headers:
        if name not in READ_HEADERS:
            continue
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(name.decode("latin-1"), "the header is not valid UTF-8") from None
        _check(name.decode("latin-1"), text)


class HostileInputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check("path", scope["path"])
            query = _query(scope.get("query_string", b""))
            _headers(scope.get("headers") or [])
        except Refused as refused:
            response = problem(
                422, "validation_failed", "Validation failed", f"{refused.field}: {refused.message}",
                errors=[{"field": refused.field, "message": refused.message, "type": "hostile_text"}],
            )  # fmt: skip
            await response(scope, receive, send)
            return
        if query is not scope.get("query_string"):
            scope = {**scope, "query_string": query}
        await self.app(scope, receive, send)


def trusted_networks(setting: str | None) -> tuple[Network, ...]:
    """`XINFANG_TRUSTED_PROXIES`: comma-separated addresses or CIDRs (ValueError if one is not)."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in (setting or "").split(",")
        if part.strip()
    )


def _is_proxy(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def forwarded_client(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client as the trusted proxies saw it: walking `X-Forwarded-For` from the right (each
    proxy appends the address it saw), the first address that is not itself a proxy."""
    if not _is_proxy(peer, proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _is_proxy(hop, proxies):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a proxy wrote something that is not an address: trust only the peer
    return peer


class ClientAddress:
    """Sets the ASGI `client` from `forwarded_client`. Run uvicorn with proxy_headers off
    (`xinfang serve` does), or uvicorn would already have believed the header."""

    def __init__(self, app: ASGIApp, proxies: tuple[Network, ...]) -> None:
        self.app, self.proxies = app, proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            peer, port = scope["client"]
            forwarded = [
                v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for"
            ]
            client = forwarded_client(peer, forwarded, self.proxies)
            if client != peer:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
