from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsaConfig(AppConfig):
    name = "ssa"
    verbose_name = _("Common food fund (SSA)")
