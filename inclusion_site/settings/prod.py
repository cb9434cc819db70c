"""Production: every secret and host comes from the environment; HTTPS everywhere.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL.
Optional: CSRF_TRUSTED_ORIGINS, SECURE_SSL_REDIRECT (default on), SECURE_HSTS_SECONDS,
REDIS_URL (shared cache and rate limits), TRUSTED_PROXY_COUNT (reverse proxies in front, default 1).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from inclusion_site.settings.base import *  # noqa: F403
from inclusion_site.settings.base import env_bool, env_list

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names (comma-separated).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# TLS is terminated by the reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Behind the TLS-terminating reverse proxy, the visitor's address is the last one the proxy
# appended to X-Forwarded-For: brute-force lockouts must count per visitor, not per proxy.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# The same visitor address for rate limits: REMOTE_ADDR is the proxy, shared by everyone.
TRUSTED_PROXY_COUNT = AXES_IPWARE_PROXY_COUNT
RATELIMIT_IP_META_KEY = "inclusion_site.client_ip.client_ip"
