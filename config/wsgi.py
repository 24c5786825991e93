import contextlib
import os

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Production refuses a database that holds the demo's accounts (public password). The check
# needs the database: when it is down at start, the requests answer 503 until it is back, and
# the next start checks again.
from demo.checks import demo_accounts_refuse  # noqa: E402  (after Django's setup)

with contextlib.suppress(DatabaseError):
    demo_accounts_refuse()
