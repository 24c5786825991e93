from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set (seed_demo) and its year of history (seed_history): built through the
    services of every app, so nothing else may import it."""

    name = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the production check)
