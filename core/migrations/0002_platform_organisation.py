from django.db import migrations


def create_platform(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    Organisation.objects.get_or_create(
        kind="platform", defaults={"name": "Appro Solidaire", "commune": "Lille"}
    )


def remove_platform(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    Organisation.objects.filter(kind="platform", memberships__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_platform, remove_platform)]
