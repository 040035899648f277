"""The documented backup and restore (ops/backup.sh, ops/restore.sh, docs/operations.md),
run for real: dump the database and both media folders, restore them into a fresh
database and empty folders, and find every badge still verifying there. Restoring without
the site's encryption keys, or into a database in use, is refused in words."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

from credentials.openbadges.baking import assertion_bake
from credentials.openbadges.keys import issuer_signing_key
from credentials.services.badges import assertion_award, assertion_revoke

pytestmark = [
    pytest.mark.needs_postgres,
    # pg_dump sees only committed rows; serialized rollback puts back what migrations made.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def admin_sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.fixture
def fresh_database():
    """An empty database for the restore, dropped afterwards."""
    names = []

    def make() -> str:
        name = f"leap_restore_{secrets.token_hex(4)}"
        admin_sql(f'CREATE DATABASE "{name}"')
        names.append(name)
        return name

    yield make
    for name in names:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(script: str, folder: Path, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "PYTHON": sys.executable,
        **{key: str(value) for key, value in env.items()},
    }
    environment.pop("REDIS_URL", None)  # the check needs neither the cache nor the broker
    return subprocess.run(
        [str(ROOT / "ops" / script), str(folder)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def badges(badge_class, learner):
    """Two awarded badges (one baked, one revoked since), an OB 3.0 key, an evidence file."""
    revoked = assertion_award(recipient=learner, badge_class=badge_class)
    assertion_revoke(assertion=revoked, reason="Awarded in error", revoked_by=None)
    kept = assertion_bake(assertion=assertion_award(recipient=learner, badge_class=badge_class))
    issuer_signing_key(badge_class.issuer)
    storages["private"].save("evidence/plan.txt", ContentFile(b"My rollout plan"))
    return kept, revoked


def test_a_backup_restores_into_a_fresh_database_and_every_badge_still_verifies(
    badges, tmp_path, fresh_database
):
    kept, _ = badges
    backup = tmp_path / "backup"
    made = run(
        "backup.sh",
        backup,
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=settings.MEDIA_ROOT,
        PRIVATE_MEDIA_ROOT=settings.STORAGES["private"]["OPTIONS"]["location"],
    )
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
        "private.tar.gz",
    ]

    media, private = tmp_path / "restored-media", tmp_path / "restored-private"
    restored = run(
        "restore.sh",
        backup,
        DATABASE_URL=database_url(fresh_database()),
        MEDIA_ROOT=media,
        PRIVATE_MEDIA_ROOT=private,
    )
    assert restored.returncode == 0, restored.stderr
    assert "2 badge(s) checked: every one verifies." in restored.stdout
    assert (media / kept.baked_image.name).read_bytes() == kept.baked_image.read()
    assert (private / "evidence/plan.txt").read_bytes() == b"My rollout plan"


def test_restoring_without_the_sites_encryption_keys_says_the_keys_are_missing(
    badges, tmp_path, fresh_database
):
    backup = tmp_path / "backup"
    run(
        "backup.sh",
        backup,
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=settings.MEDIA_ROOT,
        PRIVATE_MEDIA_ROOT=settings.STORAGES["private"]["OPTIONS"]["location"],
    )
    restored = run(
        "restore.sh",
        backup,
        DATABASE_URL=database_url(fresh_database()),
        MEDIA_ROOT=tmp_path / "m",
        PRIVATE_MEDIA_ROOT=tmp_path / "p",
        LEAP_KEY_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert restored.returncode != 0
    assert "cannot be decrypted: restore LEAP_KEY_ENCRYPTION_KEYS" in restored.stderr


def test_restore_refuses_a_database_in_use_and_a_damaged_backup(badges, tmp_path):
    backup = tmp_path / "backup"
    in_use = database_url(connection.settings_dict["NAME"])
    run(
        "backup.sh",
        backup,
        DATABASE_URL=in_use,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        PRIVATE_MEDIA_ROOT=settings.STORAGES["private"]["OPTIONS"]["location"],
    )
    refused = run("restore.sh", backup, DATABASE_URL=in_use, MEDIA_ROOT=tmp_path / "m")
    assert refused.returncode == 2
    assert "the database already has tables; restore into an empty one" in refused.stderr

    with (backup / "media.tar.gz").open("ab") as damaged:
        damaged.write(b"\0")
    refused = run("restore.sh", backup, DATABASE_URL=in_use, MEDIA_ROOT=tmp_path / "m")
    assert refused.returncode != 0
    assert "media.tar.gz: FAILED" in refused.stdout + refused.stderr
