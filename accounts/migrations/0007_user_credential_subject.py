"""Each person gets a random, stable id as the subject of their Open Badges 3.0 credentials.
Added empty, filled one row at a time (a default would give every existing row the same
value), then made required and unique."""

import uuid

from django.db import migrations, models


def give_each_user_an_id(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(credential_subject__isnull=True).only("pk").iterator():
        User.objects.filter(pk=user.pk).update(credential_subject=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_audit_entry")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="credential_subject",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_user_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="credential_subject",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
