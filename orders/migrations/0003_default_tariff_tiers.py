from decimal import Decimal

from django.db import migrations

DEFAULT_TIERS = [
    ("T1", "Tranche 1 — 10 %", Decimal("0.100"), Decimal("4.00")),
    ("T2", "Tranche 2 — 20 %", Decimal("0.200"), Decimal("8.00")),
    ("T3", "Tranche 3 — 30 %", Decimal("0.300"), Decimal("12.00")),
]


def create_default_tiers(apps, schema_editor):
    TariffTier = apps.get_model("orders", "TariffTier")
    for code, label, rate, threshold in DEFAULT_TIERS:
        TariffTier.objects.get_or_create(
            code=code,
            defaults={"label": label, "beneficiary_rate": rate, "max_reste_a_vivre": threshold},
        )


def remove_default_tiers(apps, schema_editor):
    TariffTier = apps.get_model("orders", "TariffTier")
    TariffTier.objects.filter(code__in=[code for code, *_ in DEFAULT_TIERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_households_tiers_orders")]

    operations = [migrations.RunPython(create_default_tiers, remove_default_tiers)]
