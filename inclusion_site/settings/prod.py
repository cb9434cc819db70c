"""Production: every secret and host comes from the environment; HTTPS everywhere.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL.
Optional: CSRF_TRUSTED_ORIGINS, SECURE_SSL_REDIRECT (default on), SECURE_HSTS_SECONDS,
REDIS_URL (shared cache and rate limits), TRUSTED_PROXIES (reverse proxies in front, settings.base).
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
