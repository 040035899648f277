"""Notifications now belong to accounts (accounts 0002 takes over the same tables). The
tables do not change; the content types follow the models, so permissions granted on them
keep applying."""

from django.db import migrations


def content_types_follow(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notification", "notificationsettings"):
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue  # already made for the new app (nothing was granted on it yet)
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="credentials", new="accounts")


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="accounts", new="credentials")


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0006_evidence_and_review"),
        ("accounts", "0002_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationSettings"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
