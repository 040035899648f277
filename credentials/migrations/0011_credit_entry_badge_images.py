from django.db import migrations


def fill(apps, schema_editor):
    """Give the ledger's existing badge entries ("badge:<assertion uuid>") their image, as
    credentials now passes it when a badge is awarded. The path is the one the public
    assertion image had when this was written, frozen here."""
    credit_entry = apps.get_model("learning", "CreditEntry")
    assertion = apps.get_model("credentials", "Assertion")
    known = {str(value) for value in assertion.objects.values_list("uuid", flat=True)}
    entries = credit_entry.objects.filter(
        source="badge", source_key__startswith="badge:", image_url=""
    )
    for entry in entries.only("pk", "source_key").iterator():
        key = entry.source_key.removeprefix("badge:")
        if key in known:
            credit_entry.objects.filter(pk=entry.pk).update(
                image_url=f"/public/assertions/{key}/image"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0010_submission_revision"),
        ("learning", "0005_credit_entry_image_url"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
