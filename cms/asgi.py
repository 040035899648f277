"""ASGI entry point, for servers such as uvicorn or daphne."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

from cms.settings.env import load_settings_or_exit  # noqa: E402

load_settings_or_exit()
application = get_asgi_application()
