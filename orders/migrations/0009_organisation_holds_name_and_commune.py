from django.db import migrations


def copy_to_organisation(model_name):
    """The profile's name and commune become its organisation's (they were kept in both,
    and the profile's were the ones the screens and the admin edited)."""

    def forwards(apps, schema_editor):
        Profile = apps.get_model("orders", model_name)
        Organisation = apps.get_model("core", "Organisation")
        for profile in Profile.objects.only("organisation_id", "name", "commune").iterator():
            Organisation.objects.filter(pk=profile.organisation_id).update(
                name=profile.name, commune=profile.commune
            )

    def backwards(apps, schema_editor):
        Profile = apps.get_model("orders", model_name)
        for profile in Profile.objects.select_related("organisation").iterator():
            profile.name = profile.organisation.name
            profile.commune = profile.organisation.commune
            profile.save(update_fields=["name", "commune"])

    return migrations.RunPython(forwards, backwards)


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0008_reception_line_protected_by_database'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='grocery',
            options={'ordering': ['organisation__name'], 'verbose_name': 'grocery', 'verbose_name_plural': 'groceries'},
        ),
        migrations.AlterModelOptions(
            name='socialservice',
            options={'ordering': ['organisation__name'], 'verbose_name': 'social service (CCAS)', 'verbose_name_plural': 'social services (CCAS)'},
        ),
        migrations.RemoveConstraint(
            model_name='grocery',
            name='grocery_commune_valid',
        ),
        migrations.RemoveConstraint(
            model_name='socialservice',
            name='social_service_commune_valid',
        ),
        copy_to_organisation("grocery"),
        copy_to_organisation("socialservice"),
        migrations.RemoveField(
            model_name='grocery',
            name='commune',
        ),
        migrations.RemoveField(
            model_name='grocery',
            name='name',
        ),
        migrations.RemoveField(
            model_name='socialservice',
            name='commune',
        ),
        migrations.RemoveField(
            model_name='socialservice',
            name='name',
        ),
    ]
