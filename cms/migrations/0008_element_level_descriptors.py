from pathlib import Path

import yaml
from django.db import migrations, models

# The seed data as it stands in the code base; the logic below is this migration's own copy
# (not cms.services), so later changes to the service cannot change what this step did.
DESCRIPTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "level_descriptors.yaml"


def fill(apps, schema_editor):
    """Fill the four descriptors of each seeded element whose four are all empty."""
    if not DESCRIPTORS_FILE.exists():
        return
    descriptors = yaml.safe_load(DESCRIPTORS_FILE.read_text(encoding="utf-8")) or {}
    element_model = apps.get_model("cms", "FrameworkElement")
    for code, texts in descriptors.items():
        fields = {f"descriptor_{value}": text for value, text in enumerate(texts[:4])}
        empty = {f"descriptor_{value}": "" for value in range(4)}
        element_model.objects.filter(code=code, **empty).update(**fields)


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
