from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .choices import ROLE_ORGANISATION_KIND, Commune, OrganisationKind, Role
from .errors import InvalidInput
from .models import Membership, Organisation, OrganisationProfile, User

M = TypeVar("M", bound=models.Model)
P = TypeVar("P", bound=OrganisationProfile)

# The fields of a grocery, producer or CCAS that its organisation holds.
ORGANISATION_FIELDS = frozenset({"name", "commune"})

URBAN_KINDS = {OrganisationKind.GROCERY, OrganisationKind.CCAS, OrganisationKind.CITY}


def organisation_validate(*, kind: str, commune: str) -> None:
    if kind == OrganisationKind.PLATFORM:
        raise InvalidInput(
            _("The platform organisation already exists; there is only one."),
            fields={"kind": [_("Only one platform organisation exists.")]},
        )
    if kind in URBAN_KINDS and commune not in Commune.values:
        raise InvalidInput(
            _("The commune must be Lille, Lomme or Hellemmes."),
            fields={"commune": [_("Must be one of: Lille, Lomme, Hellemmes.")]},
        )


def organisation_create(*, kind: str, name: str, commune: str = "") -> Organisation:
    organisation_validate(kind=kind, commune=commune)
    return Organisation.objects.create(kind=kind, name=name, commune=commune)


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, organisation: Organisation, email: str = ""
) -> User:
    """A person and their membership. Without a password the account cannot log in until
    its owner chooses one through an invitation (notifications.accounts)."""
    expected_kind = ROLE_ORGANISATION_KIND[Role(role)]
    if organisation.kind != expected_kind:
        raise InvalidInput(
            _("A %(role)s must belong to an organisation of kind %(kind)s.")
            % {"role": role, "kind": expected_kind},
            fields={"organisation_id": [_("The organisation's kind does not fit the role.")]},
        )
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            _("This username is already taken."),
            fields={"username": [_("This username is already taken.")]},
        )
    # The coordinator runs the platform from its screens and from the admin (DESIGN.md §8),
    # which never shows a household's contact fields (orders.admin.HouseholdAdmin).
    coordinator = role == Role.COORDINATOR
    user = User(username=username, email=email, is_staff=coordinator, is_superuser=coordinator)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(
                _("The password is too weak."), fields={"password": list(error.messages)}
            ) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def model_update(
    instance: M,
    fields: Mapping[str, Any],
    *,
    check: Callable[[M], Any] | None = None,
    also: Iterable[str] = (),
) -> M:
    """Set `fields` on `instance`, let `check` refuse the result (it raises, and may set more
    fields, named in `also`), then save only those fields (HackSoft's model_update)."""
    for name, value in fields.items():
        setattr(instance, name, value)
    if check is not None:
        check(instance)
    update_fields = list(dict.fromkeys([*fields, *also]))
    if update_fields:
        instance.save(update_fields=update_fields)
    return instance


def profile_update(
    profile: P,
    fields: dict[str, Any],
    *,
    check: Callable[[P], Any] | None = None,
    also: Iterable[str] = (),
) -> P:
    """model_update for a grocery, producer or CCAS: its name and commune are written to its
    organisation, the rest to the profile (with `also` when anything of it changes)."""
    identity = {name: fields.pop(name) for name in ORGANISATION_FIELDS & fields.keys()}
    if identity:
        model_update(profile.organisation, identity)
    return model_update(profile, fields, check=check, also=also if fields else ())
