"""Production refuses to run on a database that holds the demo's accounts: their password is
printed in the README, so whoever reads it could log in (DEMO_DATA_ALLOWED is False there)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from core.models import User

from . import demo_data


def demo_accounts() -> list[str]:
    """The usernames of the demo's logins, and of any account on the demo's mail domain."""
    usernames = [username for username, _role, _place in demo_data.LOGINS]
    return list(
        User.objects.filter(
            Q(username__in=usernames) | Q(email__iendswith=f"@{demo_data.DEMO_EMAIL_DOMAIN}")
        )
        .order_by("username")
        .values_list("username", flat=True)
    )


def _refusal(accounts: list[str]) -> str:
    return (
        f"{len(accounts)} comptes de démonstration sont dans cette base ({', '.join(accounts[:5])}"
        f"{', …' if len(accounts) > 5 else ''}) : leur mot de passe est public. Supprimez-les "
        "(ou servez une base sans la démonstration) avant de démarrer en production."
    )


@register(Tags.database)
def demo_accounts_check(app_configs=None, databases=None, **kwargs) -> list[CheckMessage]:
    """Run by `migrate` and `check --database default` (so by `make production`)."""
    if settings.DEMO_DATA_ALLOWED or not databases:
        return []
    accounts = demo_accounts()
    return [Error(_refusal(accounts), id="demo.E001")] if accounts else []


def demo_accounts_refuse() -> None:
    """The web server's start (config.wsgi): stop at once where demo accounts exist."""
    if settings.DEMO_DATA_ALLOWED:
        return
    accounts = demo_accounts()
    if accounts:
        raise ImproperlyConfigured(_refusal(accounts))
