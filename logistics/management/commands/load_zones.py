from django.conf import settings
from django.core.management.base import BaseCommand

from logistics.services import zones_load


class Command(BaseCommand):
    help = "Charge les communes et QPV depuis un fichier GeoJSON et recalcule les zones des lieux."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(settings.ZONES_GEOJSON))

    def handle(self, *args, path, **options):
        count = zones_load(path=path)
        self.stdout.write(self.style.SUCCESS(f"{count} zones chargées depuis {path}."))
