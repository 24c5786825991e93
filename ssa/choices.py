from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationBasis(models.TextChoices):
    MEMBER = "member", _("per member")  # each member household the same
    PERSON = "person", _("per person")  # times the household's adults and children


class MovementKind(models.TextChoices):
    """What moves a member's credit (DESIGN.md §14)."""

    ALLOCATION = "allocation", _("Monthly allocation")  # + on the first of the month
    EXPIRY = "expiry", _("Unspent credit expired")  # − the month before's rest, if no carry-over
    CLOSING = "closing", _("Credit closed on leaving")  # − the rest, when the member leaves
    SPENDING = "spending", _("Spending")  # − an order paid from the credit


class SubjectKind(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    PRODUCT = "product", _("Product")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstention")
