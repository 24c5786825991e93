from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The first page after logging in: each app says what its people have to do now."""

    name = "home"
    verbose_name = _("Home page")
