"""Invitations and password resets by e-mail, through the outbox (DESIGN.md §11).

Neither says whether an address exists: the answer is the same, and the message goes only
to the address's owner. The link is made when the message is sent (services.account_link):
no token is ever stored.
"""

from datetime import datetime

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import services as core_services
from core.errors import InvalidInput, StateConflict
from core.lockout import account_unlock
from core.models import Organisation, User

from .choices import Kind
from .services import notify

# One message per person and this many seconds: asking again and again sends one.
ACCOUNT_MESSAGE_WINDOW_S = 300


def _window(now: datetime) -> int:
    return int(now.timestamp()) // ACCOUNT_MESSAGE_WINDOW_S


def invitation_send(*, user: User, now: datetime) -> int:
    if not user.email:
        raise InvalidInput(
            _("An invitation needs an e-mail address."),
            fields={"email": [_("Required to send an invitation.")]},
        )
    if user.has_usable_password() and user.last_login is not None:
        raise StateConflict(
            _("This person has already chosen a password and logged in."),
            code="already_active",
        )
    with translation.override("fr"):
        return notify(
            kind=Kind.INVITATION,
            object_key=f"user:{user.id}:{_window(now)}",
            recipients=[user],
            subject=_("Your invitation to Appro Solidaire"),
            paragraphs=[
                _(
                    "You are invited to Appro Solidaire, the platform of the solidarity groceries "
                    "of Lille, Lomme and Hellemmes. Your username is %(username)s."
                )
                % {"username": user.username},
                _(
                    "Choose your password with the link below. It is valid for 72 hours and "
                    "can be used once; the coordination can send you another one."
                ),
            ],
            action=_("Choose my password"),
        )


@transaction.atomic
def user_invite(
    *,
    username: str,
    role: str,
    organisation: Organisation,
    email: str,
    now: datetime,
    password: str = "",
) -> User:
    """Create a person: with a password the coordinator chose (as before), or without one and
    an invitation to choose it."""
    if not password and not email:
        raise InvalidInput(
            _("Give either a password or an e-mail address to send an invitation to."),
            fields={"email": [_("Required to send an invitation.")]},
        )
    user = core_services.user_create(
        username=username, password=password, role=role, organisation=organisation, email=email
    )
    if not password:
        invitation_send(user=user, now=now)
    return user


def password_reset_request(*, email: str, now: datetime) -> None:
    """Queue a reset link for each active person with this address; nothing else happens,
    and the caller answers the same whether anyone matched."""
    users = User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(email="")
    with translation.override("fr"):
        for user in users:
            notify(
                kind=Kind.PASSWORD_RESET,
                object_key=f"user:{user.id}:{_window(now)}",
                recipients=[user],
                subject=_("Reset your password"),
                paragraphs=[
                    _(
                        "Someone asked to reset the password of the account %(username)s. If it "
                        "was you, choose a new password with the link below (valid 72 hours, "
                        "once); a locked account is unlocked at the same time."
                    )
                    % {"username": user.username},
                    _("If it was not you, ignore this message: your password does not change."),
                ],
                action=_("Choose a new password"),
            )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form, sending through the outbox instead of mailing from the request."""

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            password_reset_request(email=self.cleaned_data["email"], now=timezone.now())


def password_chosen(*, user: User) -> None:
    """After a reset or an invitation: the account opens again for everyone."""
    account_unlock(user.username)
