"""A caisse alimentaire commune (DESIGN.md §14): its members and their monthly credit, its
citizens' committee and the producers and products it approves (conventionnés)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounting.choices import PaymentMethod
from accounting.models import Funder, JournalEntry
from orders.models import Household, SocialService
from producers.models import Producer, Product

from .choices import AllocationBasis, MovementKind, ProposalStatus, SubjectKind, VoteChoice


class Caisse(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    contribution_min = models.DecimalField(
        _("lowest monthly contribution (€)"), max_digits=7, decimal_places=2
    )
    contribution_max = models.DecimalField(
        _("highest monthly contribution (€)"), max_digits=7, decimal_places=2
    )
    allocation_per_member = models.DecimalField(
        _("monthly allocation (€)"), max_digits=7, decimal_places=2
    )
    allocation_basis = models.CharField(
        _("allocation basis"),
        max_length=8,
        choices=AllocationBasis.choices,
        default=AllocationBasis.MEMBER,
    )
    # Unspent credit kept from one month to the next; else it expires on the first.
    carry_over = models.BooleanField(_("unspent credit carried over"), default=False)
    # Votes needed (for, against and abstentions together) for the committee to decide.
    quorum = models.PositiveSmallIntegerField(_("quorum (votes)"), default=3)
    funders = models.ManyToManyField(
        Funder, verbose_name=_("funders of the deficit"), blank=True, related_name="caisses"
    )
    # The CCAS that enrol members and read the caisse's statement.
    social_services = models.ManyToManyField(
        SocialService, verbose_name=_("CCAS"), blank=True, related_name="caisses"
    )

    class Meta:
        verbose_name = _("common food fund")
        verbose_name_plural = _("common food funds")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="caisse_contributions_range",
                condition=Q(contribution_min__gte=0, contribution_max__gte=F("contribution_min")),
            ),
            models.CheckConstraint(
                name="caisse_allocation_positive", condition=Q(allocation_per_member__gt=0)
            ),
            models.CheckConstraint(
                name="caisse_basis_valid", condition=Q(allocation_basis__in=AllocationBasis.values)
            ),
            models.CheckConstraint(name="caisse_quorum_positive", condition=Q(quorum__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A household's membership of a caisse, from joining to leaving; one who comes back
    has a new membership, so that the history stays."""

    caisse = models.ForeignKey(
        Caisse, verbose_name=_("caisse"), on_delete=models.PROTECT, related_name="members"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="caisses"
    )
    monthly_contribution = models.DecimalField(
        _("monthly contribution (€)"), max_digits=7, decimal_places=2
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["caisse_id", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["caisse", "household"],
                condition=Q(left_on__isnull=True),
                name="member_once_at_a_time",
            ),
            models.CheckConstraint(
                name="member_contribution_not_negative", condition=Q(monthly_contribution__gte=0)
            ),
            models.CheckConstraint(
                name="member_leaves_after_joining",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.reference} — {self.caisse}"


class CreditMovement(models.Model):
    """One movement of a member's credit, in the caisse's closed-loop money; the balance is
    their sum. A month's allocation, expiry and closing happen once (constraint)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="movements"
    )
    month = models.DateField(_("month"))  # its first day
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount (€)"), max_digits=9, decimal_places=2)
    # The order a spending pays: its total while the cycle runs, what was delivered once
    # settled, nothing once cancelled.
    order = models.OneToOneField(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ssa_spending",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit movement")
        verbose_name_plural = _("credit movements")
        ordering = ["member_id", "month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month", "kind"],
                condition=Q(kind__in=["allocation", "expiry", "closing"]),
                name="movement_once_a_month",
            ),
            models.CheckConstraint(
                name="movement_kind_valid", condition=Q(kind__in=MovementKind.values)
            ),
            models.CheckConstraint(name="movement_month_first", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="movement_sign",
                condition=Q(kind="allocation", amount__gt=0)
                | Q(kind="spending", amount__lte=0)
                | ~Q(kind__in=["allocation", "spending"]) & Q(amount__lt=0),
            ),
            models.CheckConstraint(
                name="movement_spending_pays_an_order",
                condition=Q(kind="spending", order__isnull=False)
                | ~Q(kind="spending") & Q(order__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.kind} {self.amount}"


class Contribution(models.Model):
    """A member's contribution for a month, as received (cash, card, transfer), posted to
    the caisse's books against the bank (DESIGN.md §14). A mistake is reversed, not edited."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="contributions"
    )
    month = models.DateField(_("month"))  # its first day
    amount = models.DecimalField(_("amount (€)"), max_digits=9, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="ssa_contribution"
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(name="contribution_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="contribution_month_first", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="contribution_method_valid", condition=Q(method__in=PaymentMethod.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} {self.amount}"


class Grant(models.Model):
    """A funder's grant to the caisse for a month, covering its deficit (allocations −
    contributions), posted as owed by the funder."""

    caisse = models.ForeignKey(
        Caisse, verbose_name=_("caisse"), on_delete=models.PROTECT, related_name="grants"
    )
    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="ssa_grants"
    )
    month = models.DateField(_("month"))  # its first day
    amount = models.DecimalField(_("amount (€)"), max_digits=11, decimal_places=2)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="ssa_grant")
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(name="grant_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="grant_month_first", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.caisse} {self.funder} {self.month:%Y-%m} {self.amount}"


class CommitteeMember(models.Model):
    """A member of the caisse's citizens' committee: a register of names, not a platform
    account (they vote in meetings; the coordinator records the votes)."""

    caisse = models.ForeignKey(
        Caisse, verbose_name=_("caisse"), on_delete=models.CASCADE, related_name="committee"
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("sits on the committee"), default=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["caisse_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["caisse", "name"], name="committee_member_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """A proposal to the committee: approve (conventionner) a producer or one product."""

    caisse = models.ForeignKey(
        Caisse, verbose_name=_("caisse"), on_delete=models.PROTECT, related_name="proposals"
    )
    subject_kind = models.CharField(_("subject"), max_length=8, choices=SubjectKind.choices)
    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, null=True, blank=True
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True
    )
    # The criteria the committee weighs (local, organic, fair pay…), as proposed.
    text = models.TextField(_("criteria"))
    opened_on = models.DateField(_("opened on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=8, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="proposal_subject_named",
                condition=Q(subject_kind="producer", producer__isnull=False, product__isnull=True)
                | Q(subject_kind="product", product__isnull=False, producer__isnull=True),
            ),
            models.CheckConstraint(
                name="proposal_status_valid", condition=Q(status__in=ProposalStatus.values)
            ),
            models.CheckConstraint(
                name="proposal_closes_after_opening", condition=Q(closes_on__gte=F("opened_on"))
            ),
            models.CheckConstraint(
                name="proposal_decided_when_closed",
                condition=Q(status="open", decided_on__isnull=True)
                | ~Q(status="open") & Q(decided_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.producer or self.product)

    @property
    def subject(self) -> int | None:
        return self.producer_id if self.subject_kind == SubjectKind.PRODUCER else self.product_id


class Vote(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(
        CommitteeMember, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="votes"
    )
    choice = models.CharField(_("choice"), max_length=8, choices=VoteChoice.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "voter"], name="vote_once"),
            models.CheckConstraint(
                name="vote_choice_valid", condition=Q(choice__in=VoteChoice.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.choice}"
