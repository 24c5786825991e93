import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from supply.services import cycle_close

from ._progress import progress_bar


class Command(BaseCommand):
    help = "Clôt un cycle : allocation des pénuries et bons de commande par producteur."

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("--progress", action="store_true", help="barre de progression")

    def handle(self, *args, cycle_id, progress, **options):
        with progress_bar(progress, f"Clôture du cycle {cycle_id}") as report:
            try:
                result = cycle_close(
                    cycle_id=cycle_id, actor=None, now=timezone.now(), progress=report
                )
            except DomainError as error:
                raise CommandError(error.message) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False))
