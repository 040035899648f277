"""Assertions are no longer kept in Wagtail's reference index (Assertion's
wagtail_reference_index_ignore): the rows written before go too."""

from django.db import migrations


def forget(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    kinds = ContentType.objects.filter(app_label="credentials", model="assertion")
    ReferenceIndex.objects.filter(base_content_type__in=kinds).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0018_assertion_issued_index"),
        ("wagtailcore", "0078_referenceindex"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
