import json
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from core.errors import DomainError


@contextmanager
def progress_bar(enabled: bool, description: str):
    """A callback `progress(percent)` drawing a terminal bar when enabled."""
    if not enabled:
        yield lambda percent: None
        return
    with tqdm(total=100, desc=description, unit="%", bar_format="{l_bar}{bar}| {n:.0f}%") as bar:

        def progress(percent: float) -> None:
            bar.update(max(0, percent - bar.n))

        yield progress
        bar.update(100 - bar.n)


class CycleCommand(BaseCommand):
    """Runs one cycle service from the command line, with `--progress` for a bar."""

    description = ""

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", type=int)
        parser.add_argument("--progress", action="store_true", help="barre de progression")

    def service(self, **kwargs) -> dict:
        raise NotImplementedError

    def handle(self, *args, cycle_id, progress, **options):
        with progress_bar(progress, f"{self.description} {cycle_id}") as report:
            try:
                result = self.service(
                    cycle_id=cycle_id, user=None, now=timezone.now(), progress=report
                )
            except DomainError as error:
                raise CommandError(error.message) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False))
