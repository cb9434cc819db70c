"""gunicorn settings for production (`make serve-prod`); gunicorn reads this file from the working directory.

Every value comes from an environment variable with a default sized for the machine. Run behind a reverse
proxy (TLS, slow clients, buffering): sync workers then only ever wait on the database.
"""

import multiprocessing
import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A search spends part of its time waiting on PostgreSQL (page rows, data version): two processes per core
# keep the cores busy while one waits.
workers = env_int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
# More than one thread switches to the gthread worker class (one database connection per thread).
threads = env_int("GUNICORN_THREADS", 1)
# A request still running after this is killed; the database cancels queries well before (statement_timeout).
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after this many requests (memory growth stays bounded); the jitter keeps them from
# all restarting at the same moment. Not too often: a new worker starts with an empty local cache (it maps the
# search engine's columns from the files its elders wrote, in ~25 ms).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 1000)

wsgi_app = "inclusion_site.wsgi"
# The access log names no visitor: time, method, path without the query string (it can hold a position),
# status, size and duration in milliseconds. "-" is stdout; an empty value turns it off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the local reverse proxy may tell the scheme (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def on_starting(server):
    """Before any worker takes traffic, the machine's copy of the search index for the current data version is
    made once (services.columns_store); workers then map it in milliseconds."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_site.settings.prod")
    django.setup()
    warm_up()  # closes its connections: nothing opened here is shared with the forked workers


def post_worker_init(worker):
    """Each worker has the machine's copy of the search index as it starts (inherited, or mapped)."""
    warm_up()  # Django is set up once the worker has loaded the app


def warm_up():
    from inclusion_site.db_router import public_read_aliases
    from services import columns_store

    columns_store.warm_up(public_read_aliases())
