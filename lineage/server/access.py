"""Who may ask: the ``Host`` header (DNS rebinding) and the web origin (CORS)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# --- who may ask: the Host header (DNS rebinding) and the web origin (CORS) ---------------


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?|[0-9a-f:.]*:[0-9a-f:.]*")


def _host_name(header: str) -> str:
    """Return the name in a ``Host`` header, lower-cased, without port or IPv6 brackets.

    Examples
    --------
    >>> _host_name("LocalHost:7878"), _host_name("[::1]:7878"), _host_name("example.org.")
    ('localhost', '::1', 'example.org')
    """
    name = header.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return name.rstrip(".")


def normalise_host(name: str) -> str:
    """Check a host name given to ``--allowed-host``; return it as ``Host`` headers are compared.

    Examples
    --------
    >>> normalise_host("Lineage.Example:8080"), normalise_host("[::1]")
    ('lineage.example', '::1')
    """
    host = _host_name(name)
    if not _HOST_NAME.fullmatch(host):
        msg = f"not a host name: {name!r} (use a name such as lineage.example, or an address)"
        raise ValueError(msg)
    return host


def normalise_origin(origin: str) -> str:
    """Check a web origin given to ``--cors``; return it as browsers send it in ``Origin``.

    Examples
    --------
    >>> normalise_origin("HTTPS://Tools.Example:443/")
    'https://tools.example'
    >>> normalise_origin("*")
    Traceback (most recent call last):
      ...
    ValueError: not a web origin: '*' (use scheme://host[:port], such as http://localhost:3000)
    """
    msg = f"not a web origin: {origin!r} (use scheme://host[:port], such as http://localhost:3000)"
    try:
        parts = urllib.parse.urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        raise ValueError(msg) from None
    scheme = parts.scheme.lower()
    if (scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment or parts.username is not None):
        raise ValueError(msg)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 80 if scheme == "http" else 443
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


@dataclass(frozen=True, slots=True)
class _Guard:
    """Who may ask: ``Host`` names (against DNS rebinding) and cross-origin web pages."""

    hosts: frozenset[str]
    any_address: bool  # bound to every address: any IP address in Host is this machine
    origins: frozenset[str]

    @classmethod
    def of(cls, host: str, allowed_hosts: Iterable[str], cors: Iterable[str]) -> _Guard:
        bound = _host_name(host)
        return cls(_LOOPBACK_NAMES | {bound} | {normalise_host(h) for h in allowed_hosts},
                   bound in _WILDCARD_ADDRESSES, frozenset(normalise_origin(o) for o in cors))

    def host_refusal(self, header: str | None) -> str | None:
        """Why a request with this ``Host`` header is refused, or ``None``."""
        if header is None:  # HTTP/1.0 without Host: not a browser, so not rebinding
            return None
        name = _host_name(header)
        if name in self.hosts:
            return None
        if self.any_address:
            import ipaddress

            try:
                ipaddress.ip_address(name)
            except ValueError:
                pass
            else:
                return None
        return (f"request refused: Host {header!r} is not an address of this endpoint (a guard "
                "against DNS rebinding); lineage serve --allowed-host NAME accepts another "
                "name")

    def cross_origin(self, origin: str | None, host: str | None) -> bool | str:
        """Tell an allowed cross-origin request (``True``) from a refused one (the reason).

        ``False`` for a request from the endpoint's own origin or not from a web page.
        """
        if origin is None:
            return False
        netloc = urllib.parse.urlsplit(origin).netloc.lower()
        if host is not None and netloc == host.strip().lower():
            return False
        try:
            if normalise_origin(origin) in self.origins:
                return True
        except ValueError:
            pass
        return (f"cross-origin request from {origin!r} refused: lineage serve answers web "
                f"pages of other origins only when started with --cors ORIGIN")


class _GuardMiddleware:
    """Apply :class:`_Guard` to every HTTP request; add CORS headers where allowed."""

    def __init__(self, app: ASGIApp, guard: _Guard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host")
        refusal = self.guard.host_refusal(host)
        origin = headers.get("origin")
        cross = False if refusal else self.guard.cross_origin(origin, host)
        if isinstance(cross, str):
            refusal = cross
        if refusal is not None:
            response = PlainTextResponse(refusal + "\n", status_code=403,
                                         headers={"X-Content-Type-Options": "nosniff"})
            await response(scope, receive, send)
            return
        if not self.guard.origins:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.add_vary_header("Origin")
                if cross and origin is not None:
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = ("X-Lineage-Truncated, "
                                                            "X-Lineage-Row-Limit")
            await send(message)

        await self.app(scope, receive, send_with_cors)
