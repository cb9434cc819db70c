"""The visitor's address behind our reverse proxies: X-Forwarded-For is read defensively, and only when the
connection comes from a proxy we trust (settings.TRUSTED_PROXIES)."""

import pytest
from django.test import RequestFactory, override_settings

from core.client_ip import client_ip
from tests.curation.conftest import staff_user
from tests.hostile_values import MALFORMED_ADDRESSES

PROXY = "127.0.0.1"  # the test client's REMOTE_ADDR: a local reverse proxy, trusted by default
VISITOR = "203.0.113.5"


def address(forwarded: str | None, remote: str = PROXY) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (None, PROXY),
        (VISITOR, VISITOR),
        (f" {VISITOR} ", VISITOR),
        (f"{VISITOR}:5678", VISITOR),  # some proxies append the port
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),  # IPv4 seen by a dual-stack proxy: the IPv4 visitor's own counter
        # The proxy appends the address it was reached from: entries on its left are the client's to forge.
        (f"9.9.9.9, {VISITOR}", VISITOR),
        (f"unknown, {VISITOR}", VISITOR),
        # Garbage where the proxy's entry should be: the header is ignored, the address is the proxy's.
        ("unknown", PROXY),
        ("1.2.3.999", PROXY),
        ("1.2.3.4:99999", PROXY),
        ("%00", PROXY),
        ("\x00", PROXY),
        ("", PROXY),
        (" , ,", PROXY),
        (f"{VISITOR}, ", PROXY),
        ("fe80::1%eth0", PROXY),
        ("[2001:db8::1", PROXY),
        ("١٢٣.١.١.١", PROXY),
    ],
)
def test_forwarded_for_from_a_trusted_proxy(forwarded, expected):
    assert address(forwarded) == expected


def test_the_header_is_ignored_from_anyone_else():
    assert address(VISITOR, remote="198.51.100.7") == "198.51.100.7"
    assert address(VISITOR, remote="::1") == VISITOR  # loopback in IPv6 is trusted too


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert address(f"9.9.9.9, {VISITOR}, 10.1.2.3") == VISITOR
    assert address(f"{VISITOR}, 10.1.2.3, 10.4.5.6") == VISITOR
    # Only trusted hops are crossed: an untrusted one is the visitor, whatever it claims on its left.
    assert address(f"{VISITOR}, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    # Every hop trusted: the leftmost one is the visitor.
    assert address("10.9.9.9, 10.1.2.3") == "10.9.9.9"


@override_settings(TRUSTED_PROXIES=[])
def test_no_trusted_proxy_means_remote_addr():
    assert address(VISITOR) == PROXY


def test_a_unix_socket_peer_is_local():
    """gunicorn bound to a Unix socket leaves REMOTE_ADDR empty: the peer is on this machine, like loopback."""
    assert address(VISITOR, remote="") == VISITOR
    assert address(None, remote="") == "127.0.0.1"
    assert address("unknown", remote="") == "127.0.0.1"
    assert address(VISITOR, remote="::ffff:127.0.0.1") == VISITOR


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", MALFORMED_ADDRESSES)
@pytest.mark.parametrize("path", ["/communes/autocomplete/?q=lil", "/services/export.csv", "/services/?q=x"])
def test_malformed_forwarded_for_never_gives_a_500(client, forwarded, path):
    response = client.get(path, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 200


@pytest.mark.django_db
def test_lockout_counts_each_visitor_behind_the_proxy(client):
    """Five wrong passwords lock that visitor out, not every curator behind the same proxy."""
    staff_user("camille")
    login = "/admin/login/"
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(5):
        client.post(login, {"username": "camille", "password": "mauvais"}, **attacker)
    right = {"username": "camille", "password": "un mot de passe solide"}
    assert client.post(login, right, **attacker).status_code == 429
    # A forged left-hand entry does not escape the lock…
    assert client.post(login, right, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66").status_code == 429
    # …and the curator at another address, through the same proxy, logs in.
    assert client.post(login, right, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
