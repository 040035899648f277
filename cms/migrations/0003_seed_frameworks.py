from django.db import migrations


def seed(apps, schema_editor):
    from cms.services import frameworks_seed

    frameworks_seed(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_frameworks_and_catalogue")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
