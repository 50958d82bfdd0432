"""Where webhooks may call (server-side request forgery): checked when an endpoint is saved and before each post.

Production: `https` only, and every address the host resolves to must be public (no loopback, link-local,
private, shared, multicast or reserved range). Development and test: also `http`, to loopback only (a local
receiver). `webhook_allowed_hosts` lists hosts, addresses or CIDR ranges allowed anyway (an on-premise receiver).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from app.core.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why."""


def check_form(url: str, settings: Settings) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable URL (before any lookup)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"Not a valid URL: {exc}.") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("https", "http") or not host:
        raise UnsafeUrl("The URL must be an absolute https URL.")
    if scheme == "http" and settings.environment == "production":
        raise UnsafeUrl("Webhook URLs must use https.")
    if parts.username or parts.password:
        raise UnsafeUrl("Credentials in the URL are not accepted; authenticate by verifying our signature.")
    if parts.fragment:
        raise UnsafeUrl("A URL fragment is never sent; leave it out.")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _allow_listed(host: str, address: Address, settings: Settings) -> bool:
    for entry in settings.webhook_allowed_hosts:
        entry = entry.strip().lower()
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if entry == host:
                return True
    return False


def check_address(scheme: str, host: str, address: Address, settings: Settings) -> None:
    if _allow_listed(host, address, settings):
        return
    mapped = getattr(address, "ipv4_mapped", None)
    plain: Address = mapped if mapped is not None else address
    local_ok = settings.environment != "production" and plain.is_loopback
    if scheme == "http" and not local_ok:
        raise UnsafeUrl("Plain http is allowed only to a loopback receiver outside production; use https.")
    if not plain.is_global and not local_ok:
        raise UnsafeUrl(f"The host {host} resolves to a non-public address ({address}); that is not allowed.")


async def resolve(host: str, port: int) -> list[Address]:
    try:
        literal = ipaddress.ip_address(host)
        return [literal]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeUrl(f"The host {host} does not resolve.") from exc
    # Strip an IPv6 zone ("fe80::1%eth0") before parsing.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_url(url: str, settings: Settings) -> None:
    """Raise UnsafeUrl unless `url` may be called now (every address its host resolves to is acceptable)."""
    scheme, host, port = check_form(url, settings)
    for address in await resolve(host, port):
        check_address(scheme, host, address, settings)
