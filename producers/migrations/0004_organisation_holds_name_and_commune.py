from django.db import migrations

from core.profiles import copy_identity_to_organisation


class Migration(migrations.Migration):

    dependencies = [
        ('producers', '0003_availability'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='producer',
            options={'ordering': ['organisation__name'], 'verbose_name': 'producer', 'verbose_name_plural': 'producers'},
        ),
        copy_identity_to_organisation("producers", "producer"),
        migrations.RemoveField(
            model_name='producer',
            name='commune',
        ),
        migrations.RemoveField(
            model_name='producer',
            name='name',
        ),
    ]
