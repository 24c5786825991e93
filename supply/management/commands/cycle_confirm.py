import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import DomainError
from supply.services import cycle_confirm

from ._progress import progress_bar


class Command(BaseCommand):
    help = "Confirme un cycle clos (après réponse des producteurs ou la date limite)."

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("--progress", action="store_true", help="barre de progression")

    def handle(self, *args, cycle_id, progress, **options):
        with progress_bar(progress, f"Confirmation du cycle {cycle_id}") as report:
            try:
                result = cycle_confirm(
                    cycle_id=cycle_id, actor=None, now=timezone.now(), progress=report
                )
            except DomainError as error:
                raise CommandError(error.message) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False))
