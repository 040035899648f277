"""E-mail preference becomes a choice (immediate / daily digest / none) instead of yes/no;
existing rows keep their meaning (yes → immediate, no → none). Notices waiting for the
daily digest are marked on the notification."""

from django.db import migrations, models


def modes_from_booleans(apps, schema_editor):
    NotificationSettings = apps.get_model("accounts", "NotificationSettings")
    NotificationSettings.objects.filter(email_non_essential=True).update(email_mode="immediate")
    NotificationSettings.objects.filter(email_non_essential=False).update(email_mode="none")


def booleans_from_modes(apps, schema_editor):
    NotificationSettings = apps.get_model("accounts", "NotificationSettings")
    NotificationSettings.objects.exclude(email_mode="none").update(email_non_essential=True)
    NotificationSettings.objects.filter(email_mode="none").update(email_non_essential=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_notifications"),
        # The tables are still the ones credentials created; they exist from here on.
        ("credentials", "0007_notifications_move_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationsettings",
            name="email_mode",
            field=models.CharField(
                choices=[
                    ("immediate", "Send each reminder and update as it happens"),
                    ("digest", "Send one e-mail a day with everything new"),
                    ("none", "Don't e-mail me reminders and updates"),
                ],
                default="immediate",
                help_text="Receipts and decisions on your own work are always e-mailed.",
                max_length=20,
                verbose_name="E-mail me reminders and updates",
            ),
        ),
        migrations.RunPython(modes_from_booleans, booleans_from_modes),
        migrations.RemoveField(model_name="notificationsettings", name="email_non_essential"),
        migrations.AddField(
            model_name="notification",
            name="digest_pending",
            field=models.BooleanField(default=False),
        ),
    ]
