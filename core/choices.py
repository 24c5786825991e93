from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")  # the cooperative that runs the cycles
    GROCERY = "grocery", _("Grocery")  # a solidarity grocery that orders and receives
    PRODUCER = "producer", _("Producer")  # a local farm or workshop that supplies
    CCAS = "ccas", _("CCAS")  # a communal social-action centre that enrols households
    CITY = "city", _("City")  # the municipality whose officials read dashboards


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")  # runs cycles, hub, vans, funders
    GROCERY_VOLUNTEER = "grocery_volunteer", _("Grocery volunteer")  # orders for a grocery
    PRODUCER = "producer", _("Producer")  # keeps a catalogue, confirms purchase lists
    CCAS_STAFF = "ccas_staff", _("CCAS staff")  # enrols households of one CCAS
    OFFICIAL = "official", _("Official")  # reads aggregated dashboards


# The organisation kind each role belongs to.
ROLE_ORGANISATION_KIND = {
    Role.COORDINATOR: OrganisationKind.PLATFORM,
    Role.GROCERY_VOLUNTEER: OrganisationKind.GROCERY,
    Role.PRODUCER: OrganisationKind.PRODUCER,
    Role.CCAS_STAFF: OrganisationKind.CCAS,
    Role.OFFICIAL: OrganisationKind.CITY,
}


class Commune(models.TextChoices):
    LILLE = "Lille", "Lille"
    LOMME = "Lomme", "Lomme"
    HELLEMMES = "Hellemmes", "Hellemmes"


class ImportKind(models.TextChoices):
    """What a file or link imported holds (DESIGN.md §13)."""

    CATALOGUE_FILE = "catalogue_file", _("Catalogue file (CSV or Excel)")
    DFC_FILE = "dfc_file", _("DFC document")
    DFC_LINK = "dfc_link", _("DFC link")
    GROCERIES = "groceries", _("Groceries")
    PRODUCERS = "producers", _("Producers")
