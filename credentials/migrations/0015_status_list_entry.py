"""Bitstring status lists: each assertion gets a bit in its issuer's lists, drawn at random
in a list kept at most half full (credentials.openbadges.status_list); assertions already
issued get theirs here."""

import secrets

import django.db.models.deletion
from django.db import migrations, models

LIST_SIZE = 131_072
FILL_LIMIT = LIST_SIZE // 2


def draw_bits_for_issued_badges(apps, schema_editor):
    Assertion = apps.get_model("credentials", "Assertion")
    StatusListEntry = apps.get_model("credentials", "StatusListEntry")
    taken: dict[tuple[int, int], set[int]] = {}
    entries = []
    rows = Assertion.objects.filter(status_entry__isnull=True).values_list(
        "pk", "badge_class__issuer_id"
    )
    for assertion_id, issuer_id in rows.iterator():
        number = 0
        while len(taken.get((issuer_id, number), ())) >= FILL_LIMIT:
            number += 1
        used = taken.setdefault((issuer_id, number), set())
        index = secrets.randbelow(LIST_SIZE)
        while index in used:
            index = secrets.randbelow(LIST_SIZE)
        used.add(index)
        entries.append(
            StatusListEntry(
                assertion_id=assertion_id, issuer_id=issuer_id, number=number, index=index
            )
        )
    StatusListEntry.objects.bulk_create(entries, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("credentials", "0014_assertion_subject_id")]

    operations = [
        migrations.CreateModel(
            name="StatusListEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(default=0)),
                ("index", models.PositiveIntegerField()),
                (
                    "assertion",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_entry",
                        to="credentials.assertion",
                    ),
                ),
                (
                    "issuer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_entries",
                        to="credentials.issuer",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("issuer", "number", "index"), name="credentials_status_bit_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(draw_bits_for_issued_badges, migrations.RunPython.noop),
    ]
