"""Sending one webhook delivery: a POST to a subscriber's URL, never to this
network's insides. The target must be ``https`` (``make run`` also allows
``http`` on loopback), and every address its name resolves to must be a
public one, checked at delivery, after DNS, so a name that later points
inward is refused too. Redirects are not followed (a 3xx is a failed
attempt): a redirect could lead past that check."""
from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Outcome:
    status: int | None  # the target's HTTP status; None: no answer
    error: str | None = None  # why, in words, when it did not take the delivery

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def target_problem(url: str, allow_loopback: bool) -> str | None:
    """Why ``url`` cannot be a webhook target, or None (the address check waits for delivery)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "url: not a URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "url: must be an https:// URL"
    if parts.username or parts.password:
        return "url: must not carry credentials (verify the signature instead)"
    if parts.scheme == "http" and not (allow_loopback and _is_loopback_name(parts.hostname)):
        return "url: must be https (plain http only to this machine under make run)"
    if port == 0:
        return "url: port 0 cannot be reached"
    return None


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _address_problem(host: str, port: int, allow_loopback: bool) -> str | None:
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except OSError:
        return "the target's name does not resolve"
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback and allow_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            return "the target resolves to a private, loopback or link-local address"
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - the base class's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_loopback: bool) -> Outcome:
    """One attempt; never raises for what the target does."""
    problem = target_problem(url, allow_loopback)
    if problem:
        return Outcome(None, problem)
    parts = urlsplit(url)
    problem = _address_problem(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                               allow_loopback)
    if problem:
        return Outcome(None, problem)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers=headers | {"Content-Type": "application/json",
                                                        "User-Agent": "cim-webhooks/1"})
    try:
        with _OPENER.open(request, timeout=timeout) as reply:
            reply.read(1024)
            return Outcome(reply.status)
    except urllib.error.HTTPError as error:
        return Outcome(error.code, f"the target answered {error.code}")
    except TimeoutError:
        return Outcome(None, f"no answer within {timeout:g} s")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return Outcome(None, f"no answer within {timeout:g} s")
        return Outcome(None, "the target could not be reached")
