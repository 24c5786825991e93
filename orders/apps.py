from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Groceries, households and orders")

    def ready(self) -> None:
        # Registers the attachments and reminders it lends the outbox.
        from . import notifications  # noqa: F401
