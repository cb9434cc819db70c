"""gunicorn settings for production (`make serve-prod`); gunicorn reads this file from the working directory.

Every value comes from an environment variable with a default sized for the machine. Run behind a reverse
proxy (TLS, slow clients, buffering): sync workers then only ever wait on the database.
"""

import multiprocessing
import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A search spends about half its time in PostgreSQL on the same machine: two processes per core keep the
# cores busy while the other waits.
workers = env_int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
# More than one thread switches to the gthread worker class (one database connection per thread).
threads = env_int("GUNICORN_THREADS", 1)
# A request still running after this is killed; the database cancels queries well before (statement_timeout).
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after this many requests (memory growth stays bounded); the jitter keeps them from
# all restarting at the same moment. Not too often: a new worker starts with an empty local cache and has to
# load the search engine's in-memory columns again (at 150 searches/s over 4 workers, 1,000 requests would
# restart one every 7 s).
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
