from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and outbox")

    def ready(self) -> None:
        # Registers the send task, which the outbox looks up by name.
        from . import tasks  # noqa: F401
