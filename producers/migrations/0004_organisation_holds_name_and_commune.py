from django.db import migrations


def copy_to_organisation(model_name):
    """The profile's name and commune become its organisation's (they were kept in both,
    and the profile's were the ones the screens and the admin edited)."""

    def forwards(apps, schema_editor):
        Profile = apps.get_model("producers", model_name)
        Organisation = apps.get_model("core", "Organisation")
        for profile in Profile.objects.only("organisation_id", "name", "commune").iterator():
            Organisation.objects.filter(pk=profile.organisation_id).update(
                name=profile.name, commune=profile.commune
            )

    def backwards(apps, schema_editor):
        Profile = apps.get_model("producers", model_name)
        for profile in Profile.objects.select_related("organisation").iterator():
            profile.name = profile.organisation.name
            profile.commune = profile.organisation.commune
            profile.save(update_fields=["name", "commune"])

    return migrations.RunPython(forwards, backwards)


class Migration(migrations.Migration):

    dependencies = [
        ('producers', '0003_availability'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='producer',
            options={'ordering': ['organisation__name'], 'verbose_name': 'producer', 'verbose_name_plural': 'producers'},
        ),
        copy_to_organisation("producer"),
        migrations.RemoveField(
            model_name='producer',
            name='commune',
        ),
        migrations.RemoveField(
            model_name='producer',
            name='name',
        ),
    ]
