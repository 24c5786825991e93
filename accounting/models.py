from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.models import SocialService

from .choices import FunderKind


class Funder(models.Model):
    """A public or private body that pays the subsidised part of household orders."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FunderKind.choices)
    # The CCAS whose staff may read this funder's envelopes and statements, if any.
    social_service = models.ForeignKey(
        SocialService,
        verbose_name=_("social service (CCAS)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funders",
    )

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="funder_kind_valid", condition=Q(kind__in=FunderKind.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Envelope(models.Model):
    """A funder's budget for a period. committed and spent only move through services."""

    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="envelopes"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    committed = models.DecimalField(_("committed (€)"), max_digits=12, decimal_places=2, default=0)
    spent = models.DecimalField(_("spent (€)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        ordering = ["funder_id", "period_start"]
        constraints = [
            models.CheckConstraint(
                name="envelope_period_ordered", condition=Q(period_start__lte=F("period_end"))
            ),
            models.CheckConstraint(name="envelope_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="envelope_usage_not_negative", condition=Q(committed__gte=0, spent__gte=0)
            ),
            models.CheckConstraint(
                name="envelope_remaining_not_negative",
                condition=Q(amount__gte=F("committed") + F("spent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    @property
    def remaining(self):
        return self.amount - self.committed - self.spent
