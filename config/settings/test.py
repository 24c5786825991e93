"""Settings for the test run: same database switch as the default, no network, fast hashing."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Tests that need a geocoder start a fake one on loopback and point these at it.
GEOCODER_DOMAIN = "127.0.0.1:9"
GEOCODER_ENABLED = True
GEOCODER_SCHEME = "http"
GEOCODER_TIMEOUT_S = 2.0
