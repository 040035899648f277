"""Local development and `make run`: debug on, a fixed key, mail printed to the console."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY, VAR_DIR

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
INTERNAL_IPS = ["127.0.0.1"]
# Badges from another Leap on this machine can be verified in development.
LEAP_VERIFY_LOCAL_HOSTS = LEAP_VERIFY_LOCAL_HOSTS or ["localhost", "127.0.0.1"]  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

VAR_DIR.mkdir(exist_ok=True)
