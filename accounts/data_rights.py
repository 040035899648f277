"""A person's data rights: a copy of everything Leap holds about them, and deleting their
account. Each app says what it holds in a `personal_data` module named in
`LEAP_PERSONAL_DATA` (accounts knows the apps above it only by name):

- `SECTIONS`: the parts of the download, each with the models it exports;
- `NOT_EXPORTED`: every other model that refers to a person, with why it is not in the
  download (not about the person, a secret, or exported by another section);
- `erase(*, user, revoke_badges)`: what the app does before the account row is deleted,
  returning the stored files to delete once the deletion commits.

`tests/accounts/test_data_rights.py` walks every model that refers to the user model (and,
for the exported ones, every model one step further) and checks each is in a section or in
`NOT_EXPORTED`, so a new table of personal data cannot be forgotten."""

import datetime as dt
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from typing import IO

from django.conf import settings
from django.db import transaction

from accounts.audit import FROM_CONTEXT, Action, audit_record, export_record
from accounts.email import email_send
from accounts.errors import LeapError
from accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFile:
    """A file in the download: where it goes in the zip, its size, and how to read it."""

    path: str
    size: int
    open: Callable[[], IO[bytes]]


@dataclass
class SectionData:
    records: list[dict] = field(default_factory=list)
    files: list[ExportFile] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """One JSON file of the download (`<name>.json`), described in its README."""

    name: str
    about: str
    models: tuple[str, ...]
    export: Callable[[User], SectionData]


@dataclass(frozen=True)
class StoredFile:
    """A file to delete from storage once the deletion has committed."""

    storage: object
    name: str


def _modules() -> list:
    return [import_module(path) for path in settings.LEAP_PERSONAL_DATA]


def sections() -> list[Section]:
    return [section for module in _modules() for section in module.SECTIONS]


def coverage() -> dict[str, str]:
    """Every model label the apps account for: the section that exports it, or why not."""
    found = {}
    for module in _modules():
        for section in module.SECTIONS:
            found.update(dict.fromkeys(section.models, f"exported in {section.name}.json"))
        found.update(module.NOT_EXPORTED)
    return found


# The download.


def files_max_mb() -> int:
    return settings.LEAP_PERSONAL_DATA_FILES_MAX_MB


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _readme(user: User, written: list[tuple[Section, SectionData]], left_out: list[str]) -> str:
    lines = [
        f"Everything Leap holds about {user.display_name or user.email}, as of "
        f"{dt.datetime.now(dt.UTC):%d %B %Y, %H:%M} UTC.",
        "",
        "Each .json file is one part of it; files/ holds your evidence as you uploaded it and",
        "your badges as baked images (each carries its Open Badges assertion).",
        "",
    ]
    for section, data in written:
        lines.append(f"{section.name}.json: {section.about} ({len(data.records)})")
    if left_out:
        lines += [
            "",
            "These files were too large to include all together; download each from its",
            "submission's page in Leap:",
            *(f"  {path}" for path in left_out),
        ]
    return "\n".join(lines) + "\n"


def personal_data_zip(*, user: User) -> IO[bytes]:
    """The download, as a temporary file positioned at its start (the caller closes it).
    The download is recorded in the audit log."""
    written = [(section, section.export(user)) for section in sections()]
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    # Files beyond LEAP_PERSONAL_DATA_FILES_MAX_MB in all stay out (each is listed, and can be
    # downloaded from its submission's page), so the zip is built in bounded time and space.
    left_out, budget = [], files_max_mb() * 1024 * 1024
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for section, data in written:
            body = json.dumps(data.records, indent=2, ensure_ascii=False, default=_json_default)
            archive.writestr(f"{section.name}.json", body)
            for item in data.files:
                if item.size > budget:
                    left_out.append(item.path)
                    continue
                budget -= item.size
                try:
                    with item.open() as source, archive.open(item.path, "w") as target:
                        shutil.copyfileobj(source, target)
                except FileNotFoundError:
                    logger.warning("A file of user %s is missing from storage", user.pk)
                    left_out.append(item.path)
        archive.writestr("README.txt", _readme(user, written, left_out))
    export_record(what="Their own data (zip)", target=user, details={"left_out": len(left_out)})
    out.seek(0)
    return out


# Deleting an account.


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def account_delete(
    *, user: User, revoke_badges: bool, reason: str = "", district=None
) -> list[StoredFile]:
    """Delete the account and the personal data Leap holds (one transaction): evidence and
    submissions, self-assessments, plans, progress, credit, notifications, book-club
    attendance; posts stay in their threads without their text; issued badges keep
    verifying by their hashed identity and name no one, unless `revoke_badges`. `district`:
    a district's admin did it at the person's request (`reason` required). Refused (nothing
    changes) for the last admin of a district. Stored files go once the deletion commits;
    the person gets an e-mail saying it is done. Returns the files deleted."""
    reason = " ".join((reason or "").split())
    if district is not None and not reason:
        raise LeapError("Say why the account is being deleted, e.g. “Asked by e-mail on 3 May”.")
    email, pk = user.email, user.pk
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=pk)
        files = []
        for module in reversed(_modules()):
            files += module.erase(user=user, revoke_badges=revoke_badges)
        audit_record(
            action=Action.ACCOUNT_DELETED,
            target=user,
            target_label=f"Account {pk} ({_masked(email)})",
            district=district,
            summary=(
                f"Deleted by {district.name} at the member's request: {reason}"
                if district is not None
                else "Deleted by the account holder"
            ),
            details={"badges_revoked": revoke_badges, "files": len(files)},
            # The person's own deletion names no one: their name goes with their account.
            actor=None if district is None else FROM_CONTEXT,
        )
        user.delete()
        email_send(
            template="accounts/email/account_deleted",
            context={"by_district": district.name if district is not None else ""},
            to=[email],
        )
        transaction.on_commit(lambda: _files_delete(files))
    return files


def _files_delete(files: Iterable[StoredFile]) -> None:
    for item in files:
        try:
            item.storage.delete(item.name)
        except OSError:  # the account is gone either way; an orphan file is swept later
            logger.exception("Could not delete a stored file of a deleted account")
