"""Local development: debug on, static files served from the app directories."""

from inclusion_site.settings.base import *  # noqa: F403
from inclusion_site.settings.base import STORAGES, env_bool

DEBUG = env_bool("DEBUG", True)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Serve static files straight from the apps' directories, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
