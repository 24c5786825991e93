from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "accounting"
    verbose_name = _("Funders and accounting")

    def ready(self) -> None:
        # Registers the attachments and reminders it lends the outbox.
        from . import notifications  # noqa: F401
