"""The visitor's address for rate limits, behind the reverse proxies we trust."""

from django.conf import settings


def client_ip(request) -> str:
    """Behind N trusted proxies, the N-th address from the right of X-Forwarded-For (each proxy
    appends the address it was reached from); entries further left are the client's to forge."""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META["REMOTE_ADDR"]
