from datetime import time
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import OrganisationKind
from core.errors import InvalidInput
from core.models import Organisation
from logistics.services import place_locate

from .models import Grocery, SocialService


def _check_opening_hours(opens_at_time: time, closes_at_time: time) -> None:
    if opens_at_time >= closes_at_time:
        message = _("The grocery must open before it closes.")
        raise InvalidInput(message, fields={"closes_at_time": [message]})


@transaction.atomic
def grocery_create(
    *,
    name: str,
    commune: str,
    opens_at_time: time,
    closes_at_time: time,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Grocery:
    _check_opening_hours(opens_at_time, closes_at_time)
    location = place_locate(address=address, latitude=latitude, longitude=longitude)
    organisation = Organisation.objects.create(
        kind=OrganisationKind.GROCERY, name=name, commune=commune
    )
    return Grocery.objects.create(
        organisation=organisation,
        name=name,
        address=address,
        commune=commune,
        latitude=location.latitude,
        longitude=location.longitude,
        opens_at_time=opens_at_time,
        closes_at_time=closes_at_time,
        zone=location.zone,
    )


@transaction.atomic
def grocery_update(*, grocery: Grocery, **fields) -> Grocery:
    for name, value in fields.items():
        setattr(grocery, name, value)
    _check_opening_hours(grocery.opens_at_time, grocery.closes_at_time)
    if {"address", "latitude", "longitude"} & fields.keys():
        if "address" in fields and not {"latitude", "longitude"} & fields.keys():
            latitude = longitude = None
        else:
            latitude, longitude = grocery.latitude, grocery.longitude
        location = place_locate(address=grocery.address, latitude=latitude, longitude=longitude)
        grocery.latitude, grocery.longitude = location.latitude, location.longitude
        grocery.zone = location.zone
    grocery.save()
    if {"name", "commune"} & fields.keys():
        Organisation.objects.filter(id=grocery.organisation_id).update(
            name=grocery.name, commune=grocery.commune
        )
    return grocery


@transaction.atomic
def social_service_create(*, name: str, commune: str) -> SocialService:
    organisation = Organisation.objects.create(
        kind=OrganisationKind.CCAS, name=name, commune=commune
    )
    return SocialService.objects.create(organisation=organisation, name=name, commune=commune)
