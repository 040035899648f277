"""WSGI entry point for gunicorn: `gunicorn cms.wsgi:application`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from cms.settings.env import load_settings_or_exit  # noqa: E402

load_settings_or_exit()
application = get_wsgi_application()
