from django.db import migrations

from core.profiles import copy_identity_to_organisation


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
        copy_identity_to_organisation("orders", "grocery"),
        copy_identity_to_organisation("orders", "socialservice"),
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
