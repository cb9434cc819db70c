"""Hypothesis strategies for hostile HTTP input, and the checks every answer to it must pass."""

import json
import re
from urllib.parse import quote

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

# No example database: runs are reproducible from the seed hypothesis prints on failure, and
# nothing is written in the repository.
HOSTILE = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def hostile(examples: int) -> settings:
    return settings(HOSTILE, max_examples=examples)


SCRIPT = '<script>alert("xss-4242")</script>'
PAYLOADS = [
    SCRIPT,
    '"><img src=x onerror=alert(4242)>',
    "'><svg/onload=alert(4242)>",
    "javascript:alert(4242)",
    "</textarea><script>alert(4242)</script>",
    "{{ 7|add:4235 }}{% debug %}",
    "${7*7}#{7*7}<%= 7*7 %>",
    "' OR '1'='1",
    "1; DROP TABLE services_service; --",
    "'); SELECT pg_sleep(10); --",
    "\\x00\\' UNION SELECT password FROM auth_user --",
    "%00",
    "\x00",
    "a\x00b",
    "\u202ehsilgne\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "🧑‍🦽🏳️‍🌈💥" * 3,
    "\ud800",  # lone surrogate: sent percent-encoded as invalid UTF-8
    "\udfff\ud83d",
    "\ufeff\u200b\u00a0",
    "../../../etc/passwd",
    "%2e%2e%2f%2e%2e%2f",
    "\r\nSet-Cookie: pris=1",
    "a" * 5000,
    "é" * 300,
    "9" * 400,
    "-1",
    "0",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e999999",
    "-1e-999999",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "[]",
    "{}",
    "null",
    "true",
    "99999999999999999999999999",
    "2147483648",
    "100001",
    "50.63",
    "3.06",
    "59350",
    "2A004",
]
SEARCH_NAMES = [
    "code_commune",
    "commune",
    "lat",
    "lon",
    "rayon_km",
    "thematiques",
    "publics",
    "types",
    "frais",
    "modes_accueil",
    "sources",
    "score_qualite_minimum",
    "q",
    "ouvert",
    "doublons",
    "page",
    "format",
]
VALID = {
    "code_commune": ["59350", "75056"],
    "rayon_km": ["5", "50", "100"],
    "thematiques": ["numerique--maitriser-les-fondamentaux-du-numerique", "categorie--numerique"],
    "publics": ["tous-publics", "jeunes"],
    "frais": ["gratuit"],
    "modes_accueil": ["en-presentiel", "a-distance"],
    "sources": ["dora"],
    "ouvert": ["maintenant", "aujourdhui"],
    "doublons": ["1", "on"],
    "page": ["1", "2"],
    "q": ["atelier", "mobilite"],
}

# What clients and broken proxies put in X-Forwarded-For (core.client_ip).
MALFORMED_ADDRESSES = [
    "1.2.3.4:5678",
    "[2001:db8::1]",
    "[2001:db8::1]:443",
    "unknown",
    "1.2.3.999",
    "%00",
    "\x00",
    "1.2.3.4\x00",
    "",
    " , ,",
    "fe80::1%eth0",
    "[2001:db8::1",
    "2001:db8::1]:443",
    "1.2.3.4:99999",
    "::ffff:1.2.3.4",
    "'; DROP TABLE x; --",
    "١٢٣.١.١.١",  # Arabic-Indic digits
    "1.2.3.4, unknown",
    "unknown, 1.2.3.4",
    "a" * 5000,
]

# Text that survives percent-encoding: any code point, lone surrogates included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
hostile_value = st.one_of(
    st.sampled_from(PAYLOADS),
    any_text,
    st.builds(lambda a, p, b: a + p + b, any_text, st.sampled_from(PAYLOADS), any_text),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([value for values in VALID.values() for value in values]),
)
parameter_name = st.one_of(st.sampled_from(SEARCH_NAMES), st.sampled_from(PAYLOADS), any_text)
# Repeated names are the point: lists, and scalars given twice.
parameters = st.lists(st.tuples(parameter_name, hostile_value), max_size=8)
record_id = st.one_of(st.sampled_from(PAYLOADS), any_text.filter(bool), st.just("dora--service-fixe"))
# Header values travel as latin-1 in WSGI: what a client can send.
header_text = st.text(st.characters(codec="latin-1"), max_size=60)
address = st.one_of(
    st.ip_addresses().map(str),
    st.builds("{}:{}".format, st.ip_addresses(v=4), st.integers(-1, 99999)),
    st.builds("[{}]:{}".format, st.ip_addresses(v=6), st.integers(-1, 99999)),
    st.sampled_from(MALFORMED_ADDRESSES),
    header_text,
)
forwarded_for = st.lists(address, max_size=5).map(", ".join)


def encode(value: str) -> str:
    """Percent-encode anything, lone surrogates as the (invalid) UTF-8 bytes a client could send."""
    return quote(value, safe="", errors="surrogatepass")


def query_string(pairs) -> str:
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


FRENCH = re.compile(r"\b(le|la|les|de|des|du|une?|est|pas|page|recherche|demande)\b", re.IGNORECASE)
ENGLISH_DEFAULTS = ("Not Found", "Bad Request", "Server Error", "Forbidden", "Traceback", "Exception Value")
TAG_LIKE = re.compile(r"<[A-Za-z!/]")


def check_answer(response, values, allowed: set[int]) -> None:
    """Status expected, French words on errors, nothing hostile reflected as markup."""
    assert response.status_code in allowed, (response.status_code, values)
    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    if response.streaming:
        body = b"".join(response.streaming_content).decode("utf-8", errors="replace")
    else:
        body = response.content.decode("utf-8", errors="replace")
    content_type = response.get("Content-Type", "")
    assert not any(marker in body for marker in ENGLISH_DEFAULTS), body[:500]
    if response.status_code >= 400:
        if content_type.startswith("application/json"):
            assert "erreur" in json.loads(body)
        else:
            assert FRENCH.search(body), body[:500]
    if content_type.startswith("text/html"):
        for value in values:
            # Short random strings could occur in the page by chance; payloads and long values cannot.
            if TAG_LIKE.search(value) and (value in PAYLOADS or len(value) >= 10):
                assert value not in body, value
        assert "alert(4242)</script>" not in body and 'alert("xss-4242")</script>' not in body
    else:
        # Non-HTML answers may quote what was typed; browsers must never sniff them as HTML.
        assert response["X-Content-Type-Options"] == "nosniff"
