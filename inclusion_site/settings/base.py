"""Settings shared by every environment. Configuration comes from environment variables.

Environment-specific modules (dev, test, prod) import only this one.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str) -> list[str]:
    """IP addresses or networks (CIDR), checked now: a typo must stop the start, not every request."""
    try:
        return [str(ipaddress.ip_network(item, strict=False)) for item in env_list(name, default)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from error


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-not-for-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

SITE_NAME = "Trouver un service d'insertion"
# Who publishes and hosts the site, for the legal notice and the accessibility statement (templates/legal/):
# facts of each deployment.
NOT_GIVEN = "Non renseigné dans la configuration du site"
LEGAL = {
    "publisher": os.environ.get("LEGAL_PUBLISHER") or NOT_GIVEN,
    "director": os.environ.get("LEGAL_DIRECTOR") or NOT_GIVEN,
    "hosting": os.environ.get("LEGAL_HOSTING") or NOT_GIVEN,
    "contact_email": os.environ.get("CONTACT_EMAIL", ""),
    "contact_missing": "l'adresse de contact n'est pas encore renseignée dans la configuration du site.",
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "dsfr",
    "simple_history",
    "axes",
    "csp",
    "core",
    "communes",
    "structures",
    "services",
    "imports",
    "curation",
    "territories",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (settings below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Read-only public requests read from a replica (when there are some), the rest from the primary.
    "inclusion_site.db_router.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # gzip for the answers without a secret (BREACH: see inclusion_site.compression).
    "inclusion_site.compression.PublicGZipMiddleware",
    # A NUL byte in an admin URL or form is a 400, before it reaches a database lookup.
    "inclusion_site.nul_bytes.RejectNulBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Who made a change, for the history of curated records.
    "simple_history.middleware.HistoryRequestMiddleware",
    # The database going away mid-request: French 503 page, then reconnection on the next request.
    "inclusion_site.database_outage.DatabaseUnavailableMiddleware",
    # Last: turns axes' lockout into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inclusion_site.urls"
WSGI_APPLICATION = "inclusion_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inclusion_site.context_processors.site",
            ],
        },
    },
    # Templates rendered so often that Django's engine is their main cost (services.presenters.ResultCard.html).
    {"BACKEND": "django.template.backends.jinja2.Jinja2", "DIRS": [BASE_DIR / "templates" / "jinja2"]},
]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Use `make run` / `make test` (they start an embedded "
            "PostgreSQL), or prefix a command with `python scripts/with_db.py`, or set "
            "DATABASE_URL=postgres://user:password@host:5432/name."
        )
    return database_config(url)


def database_config(url: str) -> dict:
    # Persistent connections (CONN_MAX_AGE) rather than psycopg's pool: a sync gunicorn worker serves one
    # request at a time, so one connection per worker and database is all a pool would keep open anyway.
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("Database URLs must point to PostgreSQL: it is the only supported database.")
    config["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server, and a statement run five times on a connection prepared there (psycopg): a
    # search's page of results took PostgreSQL longer to plan (0.4 ms) than to run. Raw SQL casts what an operator
    # cannot infer (`%s::integer`). PgBouncer in transaction mode keeps prepared statements from 1.21 on
    # (max_prepared_statements); before, DATABASE_PREPARED_STATEMENTS=false.
    prepare_threshold = 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None
    config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=prepare_threshold)
    # A slow query is cancelled rather than left to tie up a worker (inclusion_site.wsgi sets 5 s for web
    # servers; management commands, imports first, have none unless this is set).
    timeout_ms = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS") or 0)
    if timeout_ms > 0:
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c statement_timeout={timeout_ms}".strip()
    return config


def replica_databases() -> dict:
    """Streaming replicas of the primary (DATABASE_REPLICA_URLS, comma-separated), for inclusion_site.db_router.

    In tests they mirror the primary: pytest-django creates no test database on a read-only server."""
    return {
        f"replica_{index}": {**database_config(url), "TEST": {"MIRROR": "default"}}
        for index, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1)
    }


DATABASES = {"default": database_from_env(), **replica_databases()}
DATABASE_ROUTERS = ["inclusion_site.db_router.PrimaryReplicaRouter"]


REDIS_URL = os.environ.get("REDIS_URL")
# Two caches: whole pages ("default", core.page_cache) and the rate limits' counters ("rate_limits",
# core.rate_limits), apart so that pages never evict a counter. Counters must be shared by every
# worker (core.checks): in Redis when there is one, else in a PostgreSQL table.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "rate_limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "limits",
        },
    }
else:
    CACHES = {
        # Each worker keeps its own pages: cached search fragments weigh tens of kB, at most 1,000 of them.
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}},
        "rate_limits": {"BACKEND": "core.rate_limits.DatabaseCounters", "LOCATION": "rate_limit_counters"},
    }
# django-ratelimit is used as a library (core.rate_limits), not installed as an app: see core.checks for the
# check that replaces its own.
RATELIMIT_USE_CACHE = "rate_limits"
# Whole answers of the search and the autocomplete kept in the cache (core.page_cache);
# PAGE_CACHE=off measures the computed answers (benchmarks).
PAGE_CACHE = os.environ.get("PAGE_CACHE", "on").lower() not in ("off", "0", "false", "no")
# Whether a search waits for its worker to copy the index of a new data version into memory, rather than
# being answered from the previous copy meanwhile (tests: they read what they just wrote).
SEARCH_COLUMNS_WAIT = False
# Exports of whole searches streamed at once on the site (every worker of every machine): the others are asked to
# come back in a few seconds, so that exports never keep every worker busy.
EXPORTS_AT_ONCE = int(os.environ.get("EXPORTS_AT_ONCE") or 2)
# Where the workers of a machine share their copy of the index (services.columns_store); default: a
# private folder in the system's temporary directory.
SEARCH_COLUMNS_DIR = os.environ.get("SEARCH_COLUMNS_DIR") or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The reverse proxies in front of the site (addresses or networks): X-Forwarded-For is believed only from
# them, read from the right (core.client_ip). Default: a proxy on this machine.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", "127.0.0.0/8,::1")
RATELIMIT_IP_META_KEY = "core.client_ip.client_ip"

# Brute-force protection of the admin login (django-axes): 5 failures for one username from
# one visitor address (the rate limits' one, behind the proxies) lock that pair out for
# 15 minutes; a success resets the counter.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "inclusion_site.errors.locked_out"  # French page, Retry-After
AXES_COOLOFF_MESSAGE = "Compte verrouillé : trop de tentatives de connexion. Réessayez dans 15 minutes."

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Libraries installed from npm (package.json, `make install`), served as our own files: never a CDN.
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The maps (search results: static/js/map.js; territories: static/js/territories.js; Leaflet): tiles of the IGN
# Géoplateforme, the State's free map service (WMTS, Web Mercator). The CSP allows images from the tiles' host only.
MAP_TILES_URL = os.environ.get(
    "MAP_TILES_URL",
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2"
    "&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
)
MAP_ATTRIBUTION = '<a href="https://geoservices.ign.fr/">IGN – Géoplateforme</a>'


def origin_of(url: str) -> list[str]:
    """The scheme and host of an absolute URL, for the CSP ([] for a URL of this site)."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Subresource-integrity hashes break with whitenoise's compressed, renamed files.
DSFR_USE_INTEGRITY_CHECKSUMS = False

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict CSP (django-csp 4): scripts and styles only from our static files, no inline code, no
# nonce needed (templates, DSFR and htmx are all external files; htmx's injected indicator
# style is turned off in base.html and lives in site.css). "data:" images: DSFR's CSS icons; the map's tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *origin_of(MAP_TILES_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Where the shared reference data lives on our machines (communes CSV files).
SHARED_DATA_DIR = Path(os.environ.get("SHARED_DATA_DIR", BASE_DIR.parent / "shared" / "data"))
GEO_API_URL = os.environ.get("GEO_API_URL", "https://geo.api.gouv.fr")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_one_line": {"()": "inclusion_site.log_filters.ClientErrorsOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_errors_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
