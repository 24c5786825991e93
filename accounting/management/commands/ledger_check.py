"""Checks the books (DESIGN.md §5.5): exits non-zero and names the culprits when they are off."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Abs
from django.utils.translation import gettext as _

from accounting import fec, ledger
from accounting.ledger import HALF_CENT, MONEY
from accounting.models import Envelope, JournalEntry
from core.money import quantize_money
from orders.models import OrderLine, cents_equal


def problems() -> list[str]:
    found = []
    trial = ledger.trial_balance()
    if not trial["balanced"]:
        found.append(
            _("Trial balance off: debits %(debit)s € ≠ credits %(credit)s €.")
            % {"debit": trial["total_debit"], "credit": trial["total_credit"]}
        )
    for entry_id, debits, credits in ledger.unbalanced_entries():
        found.append(
            _("Entry %(id)d does not balance: debits %(debit)s € ≠ credits %(credit)s €.")
            % {"id": entry_id, "debit": debits, "credit": credits}
        )
    split_off = OrderLine.objects.filter(tier_rate__isnull=False).exclude(
        cents_equal(F("line_ttc"), F("beneficiary_share") + F("subsidy"))
    )
    for line_id, ttc, share, subsidy in split_off.values_list(
        "id", "line_ttc", "beneficiary_share", "subsidy"
    ):
        found.append(
            _("Order line %(id)d: share %(share)s € + subsidy %(subsidy)s € ≠ %(ttc)s € incl. VAT.")
            % {"id": line_id, "share": share, "subsidy": subsidy, "ttc": ttc}
        )
    overdrawn = Envelope.objects.filter(
        Q(committed__lt=0) | Q(spent__lt=0) | Q(committed__gt=F("amount") - F("spent"))
    )
    for envelope in overdrawn.select_related("funder"):
        found.append(
            _(
                "Envelope %(id)d (%(funder)s): committed %(committed)s € + spent %(spent)s € "
                "> %(amount)s €."
            )
            % {
                "id": envelope.id,
                "funder": envelope.funder.name,
                "committed": envelope.committed,
                "spent": envelope.spent,
                "amount": envelope.amount,
            }
        )
    line_sums = (
        OrderLine.objects.live()
        .values("order_id")
        .annotate(lines_ttc=Sum("line_ttc"))
        .annotate(
            gap=Abs(ExpressionWrapper(F("lines_ttc") - F("order__total_ttc"), output_field=MONEY))
        )
        .filter(gap__gte=HALF_CENT)
        .values_list("order_id", "lines_ttc", "order__total_ttc")
        .order_by("order_id")
    )
    for order_id, lines_ttc, total_ttc in line_sums:
        found.append(
            _("Order %(id)d: total %(total)s € ≠ sum of its lines %(lines)s €.")
            % {"id": order_id, "total": total_ttc, "lines": quantize_money(lines_ttc)}
        )
    # The legal export says what the ledger says, and balances entry by entry.
    for year in JournalEntry.objects.dates("posted_at", "year"):
        found.extend(fec.fec_check(year.year))
    return found


class Command(BaseCommand):
    help = "Check the ledger and the money rules; exit 1 naming each problem."

    def handle(self, *args, **options):
        found = problems()
        if found:
            for problem in found:
                self.stderr.write(problem)
            raise CommandError(_("%(count)d problem(s) in the books.") % {"count": len(found)})
        trial = ledger.trial_balance()
        self.stdout.write(
            _("Books balanced: %(entries)d entries, debits = credits = %(total)s €.")
            % {"entries": JournalEntry.objects.count(), "total": trial["total_debit"]}
        )
