"""Test runs: fast hashing, plain static storage, no external calls."""

from inclusion_site.settings.base import *  # noqa: F403
from inclusion_site.settings.base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
GEO_API_URL = "http://127.0.0.1:9/unreachable-in-tests"
# Serve static files straight from the apps' directories, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Searches read the data the test just wrote, not the previous copy of the index while the new one is made.
SEARCH_COLUMNS_WAIT = True
