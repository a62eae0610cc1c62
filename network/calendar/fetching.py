"""Reading a calendar from its address, as a stranger's server may answer: http(s) only; every
address it names (and each redirect's) resolved and refused if it is on a private, loopback or
link-local network (unless CALENDAR_IMPORT_ALLOW_PRIVATE), and the connection made to the
address that was checked, so that a second lookup cannot point it elsewhere; the body read in
pieces to CALENDAR_IMPORT_MAX_BYTES at most, each read within CALENDAR_IMPORT_TIMEOUT seconds
and the whole within CALENDAR_IMPORT_TOTAL_TIMEOUT. The standard library's http.client: one
GET, nothing the site needs a client library for."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
from urllib.parse import urljoin, urlsplit

from flask import current_app
from flask_babel import gettext as _

from network.calendar.services import CalendarError

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


class FetchRefused(CalendarError):
    """The address could not be read, or what it gave was refused: why."""


def allowed_scheme(url: str) -> bool:
    return urlsplit(url).scheme.lower() in {"http", "https"}


def fetch(url: str) -> bytes:
    """The body at the address, following a few redirects, or FetchRefused saying why."""
    config = current_app.config
    limit = config["CALENDAR_IMPORT_MAX_BYTES"]
    deadline = time.monotonic() + config["CALENDAR_IMPORT_TOTAL_TIMEOUT"]
    for _hop in range(MAX_REDIRECTS + 1):
        response, connection = _get(url, config["CALENDAR_IMPORT_TIMEOUT"])
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location") or ""
                if not location:
                    raise FetchRefused(_("The address redirected nowhere."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(_("The address answered %(status)d, not a calendar.",
                                     status=response.status))
            return _body(response, limit, deadline)
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            raise _unreadable(error) from None
        finally:
            connection.close()
    raise FetchRefused(_("The address redirected too many times."))


def _get(url: str, timeout: float):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        raise FetchRefused(_("Give an address starting with https:// or http://."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchRefused(_("That address has no port a server listens on.")) from None
    address = _checked_address(parts.hostname, port)
    kind = _PinnedTLS if scheme == "https" else _Pinned
    connection = kind(parts.hostname, port, timeout=timeout)
    connection.address = address
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={
            "User-Agent": "network-calendar-import",
            "Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"})
        return connection.getresponse(), connection
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        connection.close()
        raise _unreadable(error) from None


def _unreadable(error: Exception) -> FetchRefused:
    if isinstance(error, TimeoutError):
        return FetchRefused(_("The address took too long to answer."))
    return FetchRefused(_("The address could not be read (%(reason)s).",
                          reason=type(error).__name__))


def _checked_address(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be a public one
    (one private answer among public ones is refused too), unless private ones are allowed."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError):
        raise FetchRefused(_("No server was found at that address.")) from None
    if not found:
        raise FetchRefused(_("No server was found at that address."))
    if not current_app.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] and \
            not all(public_address(address) for address in found):
        raise FetchRefused(_("That address is on a private network: only calendars on the "
                             "internet can be brought in."))
    return sorted(found)[0]


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _body(response, limit: int, deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise too_big(limit)
    pieces, size = [], 0
    while piece := response.read(CHUNK):
        size += len(piece)
        if size > limit:
            raise too_big(limit)
        if time.monotonic() > deadline:
            raise FetchRefused(_("The address took too long to answer."))
        pieces.append(piece)
    return b"".join(pieces)


def too_big(limit: int) -> FetchRefused:
    return FetchRefused(_("The calendar is larger than %(size)s MB: nothing was brought in.",
                          size=f"{limit / (1024 * 1024):g}"))


class _Pinned(http.client.HTTPConnection):
    """A connection to the address checked, whatever the name resolves to by now."""

    address = ""

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """The same, over TLS: the certificate checked against the name, not the address."""

    address = ""

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
