"""Memberships and credit entries are no longer kept in Wagtail's reference index
(wagtail_reference_index_ignore on both): the rows written before go too."""

from django.db import migrations


def forget(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    kinds = ContentType.objects.filter(
        app_label="learning", model__in=["membership", "creditentry"]
    )
    ReferenceIndex.objects.filter(base_content_type__in=kinds).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0012_institutional_assessments"),
        ("wagtailcore", "0078_referenceindex"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
