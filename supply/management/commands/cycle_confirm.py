from supply.services import cycle_confirm

from ._progress import CycleCommand


class Command(CycleCommand):
    help = "Confirme un cycle clos (après réponse des producteurs ou la date limite)."
    description = "Confirmation du cycle"

    def service(self, **kwargs) -> dict:
        return cycle_confirm(**kwargs)
