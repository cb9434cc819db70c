"""The visitor's address, for rate limits (django-ratelimit) and admin lockouts (django-axes).

Behind reverse proxies, REMOTE_ADDR is the nearest proxy's: shared by every visitor. Each proxy appends the
address it was reached from to X-Forwarded-For, so the header is read from the right, and only as far as the
hops are proxies we trust (settings.TRUSTED_PROXIES): the first address that is not one of them is the
visitor. Entries further left are whatever the client sent, never read. An entry that is not an IP address
where a trusted proxy's should be means the header cannot be believed: the address is then the peer's own.

The result is always a valid IP address: the rate limits build a network from it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# gunicorn bound to a Unix socket leaves REMOTE_ADDR empty: the peer is a process of this machine.
LOCAL_PEER = ipaddress.ip_address("127.0.0.1")
# Longest well-formed entry: a bracketed IPv6 address with a port.
MAX_ENTRY = 64


def client_ip(request) -> str:
    peer = parse_address(request.META.get("REMOTE_ADDR", "")) or LOCAL_PEER
    address = peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while hops and is_trusted_proxy(address):
        forwarded = parse_address(hops.pop())
        if forwarded is None:
            return str(peer)
        address = forwarded
    return str(address)


def parse_address(text: str) -> Address | None:
    """An address from an X-Forwarded-For entry or REMOTE_ADDR, ports and brackets removed; None if garbage."""
    text = text.strip()
    if not text or len(text) > MAX_ENTRY:
        return None
    if text.startswith("["):  # "[2001:db8::1]" or "[2001:db8::1]:443"
        text, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and valid_port(rest[1:]))):
            return None
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text, port = text.split(":")
        if not valid_port(port):
            return None
    if not text.isascii():
        return None  # ipaddress reads other scripts' digits ("١٢٣"); no proxy writes them
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6:
        if address.scope_id:
            return None  # "fe80::1%eth0": a link-local interface name, not a visitor
        # An IPv4 visitor seen by a dual-stack proxy: its own counter, not the whole "::ffff:0:0/64".
        return address.ipv4_mapped or address
    return address


def valid_port(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < int(text) < 65536


def is_trusted_proxy(address: Address) -> bool:
    return any(address in network for network in networks(tuple(settings.TRUSTED_PROXIES)))


@lru_cache(maxsize=8)
def networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses ("10.0.0.1") and networks ("10.0.0.0/8"); settings.base validated them at start."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
