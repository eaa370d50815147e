r"""HTTP for the remote store: one httpx client, retries with backoff, credentials from env.

A request that fails for a transient reason (the connection broke or was refused, or the
server answered 429, 502, 503 or 504) is retried with exponential backoff, honouring a
``Retry-After`` header; anything else becomes one :class:`lineage.errors.StoreError` line
naming the endpoint. Credentials come from ``LINEAGE_STORE_USER`` and
``LINEAGE_STORE_PASSWORD`` (``LINEAGE_STORE_AUTH`` = ``digest``, the default, or
``basic``); they are never logged, and never appear in an error message.

Examples
--------
>>> retry_delay(0), retry_delay(3), retry_delay(10)
(0.5, 4.0, 30.0)
>>> first_line(b"Virtuoso 37000 Error SP030: syntax error\n\nSPARQL query: ...")
'Virtuoso 37000 Error SP030: syntax error'
"""

from __future__ import annotations

import base64
import email.utils
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx

from lineage.errors import StoreError

__all__ = ["AUTH_ENV", "PASSWORD_ENV", "TRANSIENT_STATUS", "USER_ENV", "Transport",
           "first_line", "retry_delay"]

USER_ENV = "LINEAGE_STORE_USER"
PASSWORD_ENV = "LINEAGE_STORE_PASSWORD"
AUTH_ENV = "LINEAGE_STORE_AUTH"
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
# Network failures worth another try. A read timeout is not one: the server is working on
# a query too heavy for the timeout, and asking again only doubles the wait.
_TRANSIENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError,
                     httpx.WriteError, httpx.RemoteProtocolError, httpx.PoolTimeout)
MAX_DELAY = 30.0


def retry_delay(attempt: int, *, base: float = 0.5) -> float:
    """Seconds to wait before retry number ``attempt + 1``: doubling, at most 30."""
    return min(MAX_DELAY, base * 2.0 ** attempt)


def first_line(body: bytes, limit: int = 300) -> str:
    """Return the first non-empty line of an error body, shortened (errors stay one line)."""
    text = body.decode("utf-8", "replace")
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by ``Retry-After`` (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(tz=timezone.utc)).total_seconds())


def _auth(env: Mapping[str, str]) -> httpx.Auth | None:
    user = env.get(USER_ENV)
    if not user:
        return None
    password = env.get(PASSWORD_ENV, "")
    scheme = env.get(AUTH_ENV, "digest").strip().lower()
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    msg = f"{AUTH_ENV} must be digest or basic, not {scheme!r}"
    raise StoreError(msg)


class Transport:
    """Send requests to a SPARQL server with retries; errors become ``StoreError`` lines.

    Parameters
    ----------
    timeout
        Seconds to wait for a connection or an answer.
    retries
        Further tries after a transient failure.
    env
        Where credentials are read from (default ``os.environ``).
    sleep
        Called with the seconds to wait between tries (tests pass a recorder).
    """

    def __init__(self, *, timeout: float = 300.0, retries: int = 5,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        env = os.environ if env is None else env
        password = env.get(PASSWORD_ENV) or ""
        token = base64.b64encode(f"{env.get(USER_ENV, '')}:{password}".encode()).decode()
        # What a message must never show: the password, and the Basic header made of it.
        self._secrets = [s for s in (password, token) if len(s) >= 3] if password else []
        self._client = httpx.Client(auth=_auth(env), timeout=timeout, follow_redirects=False,
                                    headers={"user-agent": "lineage"})
        self.retries = retries
        self._sleep = sleep

    def request(self, method: str, url: str, *, what: str, ok: tuple[int, ...] = (),
                **kwargs: Any) -> httpx.Response:
        """Send one request, retrying transient failures.

        Returns the response when its status is 2xx or in ``ok``; otherwise raises a
        ``StoreError`` naming ``url`` and ``what`` was being done.
        """
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._client.request(method, url, **kwargs)
            except _TRANSIENT_ERRORS as exc:
                if last:
                    self._fail(url, f"{what} failed after {attempt + 1} tries: "
                               f"{type(exc).__name__}: {exc}")
                self._sleep(retry_delay(attempt))
                continue
            except httpx.TimeoutException:
                self._fail(url, f"{what} failed: no answer within {self.timeout:g} seconds")
            except httpx.HTTPError as exc:
                self._fail(url, f"{what} failed: {type(exc).__name__}: {exc}")
            if response.is_success or response.status_code in ok:
                return response
            if response.status_code in TRANSIENT_STATUS or _deadlocked(response):
                if last:
                    self._fail(url, f"{what} failed after {attempt + 1} tries: HTTP "
                               f"{response.status_code} {first_line(response.content)}".rstrip())
                wait = _retry_after(response)
                self._sleep(min(wait, 4 * MAX_DELAY) if wait is not None
                            else retry_delay(attempt))
                continue
            return response
        msg = "unreachable"
        raise AssertionError(msg)  # pragma: no cover

    @property
    def timeout(self) -> float:
        """Seconds allowed for an answer."""
        read = self._client.timeout.read
        return float(read) if read is not None else float("inf")

    def scrub(self, message: str) -> str:
        """Return ``message`` with the credentials blanked out."""
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message

    def _fail(self, url: str, message: str) -> None:
        raise StoreError(self.scrub(message), source=url)

    def error(self, url: str, what: str, response: httpx.Response) -> StoreError:
        """Return a one-line ``StoreError`` for an unexpected answer (no credentials in it)."""
        hint = ""
        if response.status_code in (401, 403):
            hint = (f" (set {USER_ENV} and {PASSWORD_ENV}, or grant the rights the "
                    "server needs; see docs/remote-store.md)")
        message = (f"{what} failed: HTTP {response.status_code} "
                   f"{first_line(response.content)}".rstrip() + hint)
        return StoreError(self.scrub(message), source=url)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()


def _deadlocked(response: httpx.Response) -> bool:
    """Virtuoso reports a transaction deadlock (SQLSTATE 40001) as HTTP 500: retry it."""
    return response.status_code == 500 and b"40001" in response.content[:200]
