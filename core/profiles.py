"""Migration support for the profiles of organisations (groceries, producers, CCAS): their name
and commune moved to the organisation's row (orders 0009, producers 0004)."""

from django.db import migrations


def copy_identity_to_organisation(app_label: str, model_name: str) -> migrations.RunPython:
    """The profile's name and commune become its organisation's (they were kept in both,
    and the profile's were the ones the screens and the admin edited); reversed, copied back."""

    def forwards(apps, schema_editor):
        Profile = apps.get_model(app_label, model_name)
        Organisation = apps.get_model("core", "Organisation")
        for profile in Profile.objects.only("organisation_id", "name", "commune").iterator():
            Organisation.objects.filter(pk=profile.organisation_id).update(
                name=profile.name, commune=profile.commune
            )

    def backwards(apps, schema_editor):
        Profile = apps.get_model(app_label, model_name)
        for profile in Profile.objects.select_related("organisation").iterator():
            profile.name = profile.organisation.name
            profile.commune = profile.organisation.commune
            profile.save(update_fields=["name", "commune"])

    return migrations.RunPython(forwards, backwards)
