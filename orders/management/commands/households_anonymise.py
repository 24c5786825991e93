from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.formats import format_date
from orders.households import households_anonymise, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymise the households with no decision in force and no order for "
        "HOUSEHOLD_RETENTION_YEARS years (contact fields and reason erased; figures kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        years = settings.HOUSEHOLD_RETENTION_YEARS
        count = households_anonymise(now=now, years=years, dry_run=dry_run)
        cutoff = retention_cutoff(today=now.date(), years=years)
        verb = "à anonymiser" if dry_run else "anonymisés"
        self.stdout.write(f"{count} foyers {verb} (sans activité depuis le {format_date(cutoff)}).")
