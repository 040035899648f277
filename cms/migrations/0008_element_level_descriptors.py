from django.db import migrations, models


def fill(apps, schema_editor):
    # Imported here: a migration loads before the app's services need to.
    from cms.services import level_descriptors_fill

    level_descriptors_fill(apps=apps)


class Migration(migrations.Migration):
    """What each self-assessment level looks like, per framework element; filled in for the
    seeded elements from cms/data/level_descriptors.yaml (never over an editor's text)."""

    dependencies = [("cms", "0007_framework_moderation")]

    operations = [
        migrations.AddField(
            model_name="frameworkelement",
            name="descriptor_0",
            field=models.TextField(
                blank=True, max_length=300, verbose_name="level 0 (Not evident) looks like"
            ),
        ),
        migrations.AddField(
            model_name="frameworkelement",
            name="descriptor_1",
            field=models.TextField(
                blank=True, max_length=300, verbose_name="level 1 (Emerging) looks like"
            ),
        ),
        migrations.AddField(
            model_name="frameworkelement",
            name="descriptor_2",
            field=models.TextField(
                blank=True, max_length=300, verbose_name="level 2 (Established) looks like"
            ),
        ),
        migrations.AddField(
            model_name="frameworkelement",
            name="descriptor_3",
            field=models.TextField(
                blank=True, max_length=300, verbose_name="level 3 (Exemplary) looks like"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
