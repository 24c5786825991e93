from supply.services import cycle_close

from ._progress import CycleCommand


class Command(CycleCommand):
    help = "Clôt un cycle : allocation des pénuries et bons de commande par producteur."
    description = "Clôture du cycle"

    def service(self, **kwargs) -> dict:
        return cycle_close(**kwargs)
