import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_site.settings.prod")
# Web requests: a query slower than this is cancelled (the visitor gets an error page) instead of piling up
# workers behind it. Set before the settings are read; management commands do not load this module.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "5000")

application = get_wsgi_application()
