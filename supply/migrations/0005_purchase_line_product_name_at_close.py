from django.db import migrations, models


def names_from_products(apps, schema_editor):
    """Lines already written take their product's name of today (the best that is known)."""
    PurchaseListLine = apps.get_model("supply", "PurchaseListLine")  # noqa: N806
    lines = list(PurchaseListLine.objects.select_related("offer__product"))
    for line in lines:
        line.product_name = line.offer.product.name
    PurchaseListLine.objects.bulk_update(lines, ["product_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("producers", "0004_organisation_holds_name_and_commune"),
        ("supply", "0004_cycle_event_user"),
    ]

    operations = [
        migrations.AddField(
            model_name="purchaselistline",
            name="product_name",
            field=models.CharField(default="", max_length=200, verbose_name="product"),
            preserve_default=False,
        ),
        migrations.RunPython(names_from_products, migrations.RunPython.noop),
    ]
