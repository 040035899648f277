"""Each assertion keeps the credential subject id of its recipient (accounts.User
.credential_subject), so it outlives the account; an assertion whose recipient has already
gone gets an id of its own."""

import uuid

from django.db import migrations, models


def copy_the_recipients_id(apps, schema_editor):
    Assertion = apps.get_model("credentials", "Assertion")
    rows = Assertion.objects.filter(subject_id__isnull=True).select_related("recipient")
    for assertion in rows.only("pk", "recipient__credential_subject").iterator():
        subject = assertion.recipient.credential_subject if assertion.recipient else uuid.uuid4()
        Assertion.objects.filter(pk=assertion.pk).update(subject_id=subject)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_user_credential_subject"),
        ("credentials", "0013_deleted_accounts_keep_badges_and_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="assertion",
            name="subject_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(copy_the_recipients_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="assertion",
            name="subject_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
