from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "supply"
    verbose_name = _("Order cycles and purchase lists")

    def ready(self) -> None:
        # Registers the attachments and reminders it lends the outbox.
        from . import notifications  # noqa: F401
