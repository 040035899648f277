"""Submitting evidence: start, save a draft, add and remove artifacts, submit, withdraw,
allow another attempt after the limit, and clear away orphaned files."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import partial
from urllib.parse import urlparse

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import User
from accounts.services import notify
from cms.models import MicroCredentialPage
from credentials.models import Artifact, AttemptAllowance, Review, Submission, private_storage
from credentials.requirements import requirement_of, requirements_of, rubric_of
from credentials.selectors.evidence import (
    attempts_get,
    badge_held,
    submission_problem_list,
    word_problem_list,
)
from credentials.services.badges import badge_class_for_micro_credential
from credentials.uploads import (
    EXTENSION_FORMATS,
    KIND_FORMATS,
    blind_copy_of_stored,
    check_upload,
)
from learning.api import time_zone_of


@transaction.atomic
def submission_start(*, learner: User, page: MicroCredentialPage) -> Submission:
    """The learner's open submission for this micro-credential, or a new draft. A next
    attempt after "not yet" starts from the previous one: its answers and artifacts are
    copied in (for the parts of the requirements that still exist)."""
    open_one = Submission.objects.open().filter(learner=learner, micro_credential=page).first()
    if open_one is not None:
        return open_one
    if not page.live:
        raise LeapError("This micro-credential is not published.")
    if badge_held(learner=learner, page=page):
        raise LeapError("You hold this badge already.")
    attempts = attempts_get(learner=learner, page=page)
    if attempts.left == 0:
        raise LeapError(
            f"You have used all {attempts.allowed} attempts. A lead reviewer or your district "
            "admin can allow another after talking through the feedback with you."
        )
    last = Submission.objects.filter(learner=learner, micro_credential=page).aggregate(
        Max("attempt")
    )["attempt__max"]
    previous = (
        Submission.objects.filter(
            learner=learner, micro_credential=page, state=Submission.State.NOT_YET
        )
        .order_by("-attempt")
        .first()
    )
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                learner=learner, micro_credential=page, attempt=(last or 0) + 1, previous=previous
            )
            if previous is not None:
                _carry_forward(previous, submission)
            return submission
    except IntegrityError:  # started at the same moment in another tab
        return Submission.objects.open().get(learner=learner, micro_credential=page)


def _carry_forward(previous: Submission, submission: Submission) -> None:
    """Copy the previous attempt's answers and artifacts into the new draft, for the parts
    of the requirements that still exist: the learner edits what the feedback asks for
    instead of starting again. Files are copied, so each attempt keeps its own."""
    requirements = {r.id: r for r in requirements_of(submission.micro_credential)}
    submission.answers = {
        rid: text
        for rid, text in previous.answers.items()
        if rid in requirements and requirements[rid].takes_text
    }
    submission.save(update_fields=["answers", "updated_at"])
    taken: dict[str, int] = {}
    for old in previous.artifacts.order_by("created_at", "pk"):
        slot = requirements.get(old.slot_id)
        if slot is None or slot.kind != "artifact" or taken.get(slot.id, 0) >= slot.max_files:
            continue
        if old.is_link and not slot.allow_link:
            continue
        if not old.is_link and not _slot_takes(slot, old):
            continue  # the slot no longer accepts this kind of file
        copy = Artifact(
            submission=submission,
            slot_id=old.slot_id,
            original_name=old.original_name,
            name=old.name,
            content_type=old.content_type,
            size=old.size,
            url=old.url,
        )
        if not old.is_link:
            try:
                with old.file.open("rb") as handle:  # copied in chunks, not read whole
                    copy.file.save(old.name or "artifact", File(handle), save=False)
            except FileNotFoundError:
                continue  # the stored file is gone; the learner adds it again
            _carry_blind_copy(old, copy)
        copy.save()
        taken[slot.id] = taken.get(slot.id, 0) + 1


def _carry_blind_copy(old: Artifact, copy: Artifact) -> None:
    """The reviewers' copy goes with the file; when it cannot (none was made, or it is
    missing), the new artifact gets one when a reviewer first needs it."""
    if not old.blind_file:
        return
    try:
        with old.blind_file.open("rb") as handle:
            copy.blind_file.save(old.name or "artifact", File(handle), save=False)
    except FileNotFoundError:
        return
    copy.blind_size = old.blind_size
    copy.blind_removed = old.blind_removed


def _slot_takes(slot, artifact: Artifact) -> bool:
    formats = set().union(*(KIND_FORMATS.get(kind, set()) for kind in slot.file_types))
    return EXTENSION_FORMATS.get(artifact.extension) in formats


def _slot(submission: Submission, slot_id: str):
    slot = requirement_of(submission.micro_credential, slot_id)
    if slot is None:
        raise LeapError("That part of the requirements no longer exists.")
    return slot


SENT = "This submission has been sent for review and cannot change."


def _locked_draft(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != Submission.State.DRAFT:
        raise LeapError(SENT)
    return locked


class DraftConflict(LeapError):
    """The answers were changed (in another tab or window) since the revision the learner
    was typing on: nothing was saved. `revision` is the server's, which a save that means
    to replace the other version sends back; `changed_at` is when that version was saved."""

    def __init__(self, *, revision: int, changed_at, time_zone):
        self.revision = revision
        self.changed_at = changed_at
        at = timezone.localtime(changed_at, time_zone).strftime("%H:%M")
        super().__init__(
            f"This draft was changed in another tab or window at {at}. Your text here is "
            "kept; save again to replace the other version, or reload to see it."
        )


@transaction.atomic
def submission_save_answers(
    *, submission: Submission, answers: dict[str, str], revision: int | None = None
) -> Submission:
    """Save the written answers of a draft. An answer over its word limit is refused, and
    then nothing is saved (the form keeps the learner's text to shorten). `revision` is the
    one the learner was typing on: when the answers have changed since (another tab saved),
    and differ from what is sent, `DraftConflict` is raised and nothing is saved. Without
    it (scripts, the demo), the answers are saved as they are. Each change of the answers
    moves the revision on by one."""
    submission = _locked_draft(submission)
    requirements = [r for r in requirements_of(submission.micro_credential) if r.takes_text]
    cleaned = {r.id: (answers.get(r.id) or "").strip() for r in requirements if r.id in answers}
    merged = {**submission.answers, **cleaned}
    if merged == submission.answers:
        return submission  # nothing changed: nothing to refuse, no new revision
    if revision is not None and revision != submission.revision:
        raise DraftConflict(
            revision=submission.revision,
            changed_at=submission.updated_at,
            time_zone=time_zone_of(user=submission.learner_id),
        )
    problems = word_problem_list(requirements=requirements, answers=cleaned)
    if problems:
        raise LeapError(problems)
    submission.answers = merged
    submission.revision += 1
    submission.save(update_fields=["answers", "revision", "updated_at"])
    return submission


def _file_slot(submission: Submission, slot_id: str):
    """The artifact slot a file is for, with room for one more; raises LeapError."""
    slot = _slot(submission, slot_id)
    if slot.kind != "artifact" or not slot.file_types:
        raise LeapError(f"“{slot.label}” takes a link, not a file.")
    if submission.artifacts.filter(slot_id=slot_id).count() >= slot.max_files:
        raise LeapError(
            f"“{slot.label}” takes at most {slot.max_files}"
            f" item{'s' if slot.max_files > 1 else ''}; remove one first."
        )
    return slot


def artifact_add_file(*, submission: Submission, slot_id: str, name: str, data: bytes) -> Artifact:
    """Add a file to an artifact slot: the type is checked from the content, photos lose
    their metadata, files that could act on a reviewer's computer are refused, and the copy
    reviewers get is made (no author, comments' authors or other metadata; see
    credentials/blind.py); both are stored under random names. A refused file changes
    nothing. The file is checked before the draft is locked, so a slow file holds no lock."""
    if submission.state != Submission.State.DRAFT:
        raise LeapError(SENT)
    slot = _file_slot(submission, slot_id)
    checked = check_upload(
        name=name,
        data=data,
        accepted_kinds=list(slot.file_types),
        max_bytes=settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024,
    )
    with transaction.atomic():
        submission = _locked_draft(submission)
        _file_slot(submission, slot_id)  # again, now that no other tab can add one
        artifact = Artifact(
            submission=submission,
            slot_id=slot_id,
            original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:255],
            name=checked.name,
            content_type=checked.content_type,
            size=len(checked.data),
            blind_size=len(checked.blind),
            blind_removed=", ".join(checked.blind_removed),
        )
        artifact.file.save(checked.name, ContentFile(checked.data), save=False)
        artifact.blind_file.save(checked.name, ContentFile(checked.blind), save=False)
        try:
            artifact.save()
        except Exception:
            artifact.file.delete(save=False)
            artifact.blind_file.delete(save=False)
            raise
    return artifact


def artifact_blind_ensure(*, artifact: Artifact) -> Artifact:
    """The artifact with the copy reviewers get, made now if it has none (files stored
    before copies were made; `manage.py artifacts_blind_copies` makes them all at once).
    A file today's checks would refuse gets none: `blind_problem` says why, and the file is
    withheld from review. Safe to call from two requests at once: one copy is kept."""
    if artifact.is_link or not artifact.file or artifact.blind_file or artifact.blind_problem:
        return artifact
    try:
        with artifact.file.open("rb") as handle:
            data = handle.read(settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024 + 1)
    except FileNotFoundError:
        return artifact  # nothing to copy; the download says the file is missing
    problem, made = "", None
    try:
        made = blind_copy_of_stored(name=artifact.name, data=data)
    except LeapError as error:
        problem = error.message[:300]
    with transaction.atomic():
        locked = Artifact.objects.select_for_update().get(pk=artifact.pk)
        if locked.blind_file or locked.blind_problem:
            return locked  # another request made it first
        if made is None:
            locked.blind_problem = problem
            locked.save(update_fields=["blind_problem"])
            return locked
        locked.blind_file.save(locked.name or "artifact", ContentFile(made.data), save=False)
        locked.blind_size = len(made.data)
        locked.blind_removed = ", ".join(made.removed)
        try:
            locked.save(update_fields=["blind_file", "blind_size", "blind_removed"])
        except Exception:
            locked.blind_file.delete(save=False)
            raise
    return locked


@transaction.atomic
def artifact_add_link(*, submission: Submission, slot_id: str, url: str) -> Artifact:
    submission = _locked_draft(submission)
    slot = _slot(submission, slot_id)
    if slot.kind != "artifact" or not slot.allow_link:
        raise LeapError(f"“{slot.label}” takes files, not links.")
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 1000:
        raise LeapError("Enter a full web address starting with https:// (or http://).")
    if submission.artifacts.filter(slot_id=slot_id).count() >= slot.max_files:
        raise LeapError(f"“{slot.label}” takes at most {slot.max_files}; remove one first.")
    return Artifact.objects.create(submission=submission, slot_id=slot_id, url=url)


@transaction.atomic
def artifact_remove(*, artifact: Artifact) -> None:
    _locked_draft(artifact.submission)
    stored = [name for name in (artifact.file.name, artifact.blind_file.name) if name]
    storage = artifact.file.storage
    artifact.delete()
    for name in stored:
        transaction.on_commit(partial(storage.delete, name))


@transaction.atomic
def submission_submit(*, submission: Submission, privacy_confirmed: bool) -> Submission:
    """Send a complete draft for review. Says exactly what is missing otherwise."""
    submission = _locked_draft(submission)
    problems = submission_problem_list(submission=submission)
    if not privacy_confirmed:
        problems.append(
            "Confirm that your artifacts show no student's personal information, or that "
            "consent is on file."
        )
    attempts = attempts_get(learner=submission.learner, page=submission.micro_credential)
    if attempts.left == 0:
        problems.append(f"You have used all {attempts.allowed} attempts.")
    if problems:
        raise LeapError(problems)
    page = submission.micro_credential
    submission.badge_class = badge_class_for_micro_credential(
        page=page, recipient=submission.learner
    )
    submission.requirements = [asdict(r) for r in requirements_of(page)]
    submission.rubric = [{"id": cid, **value} for cid, value in rubric_of(page)]
    now = timezone.now()
    submission.state = Submission.State.SUBMITTED
    submission.submitted_at = now
    submission.privacy_confirmed_at = now
    submission.save()
    notify(
        user=submission.learner,
        message=f"We received your evidence for “{page.title}”.",
        url=reverse("submissions:detail", args=[submission.pk]),
        email_template="credentials/email/submission_received",
        context={"submission": submission},
    )
    # Reviewers are assigned by the worker, after commit.
    job_enqueue_on_commit(
        "credentials.tasks.submission_assign",
        submission.pk,
        label=f"reviewers for submission {submission.pk}",
    )
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    """Withdraw before review starts (no reviewer has recorded scores). A withdrawn
    submission does not count as an attempt."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_open:
        raise LeapError("This submission has been decided and cannot be withdrawn.")
    reviews = submission.reviews.all()
    if reviews.filter(state=Review.State.COMPLETED).exists():
        raise LeapError("A reviewer has already scored this submission, so it cannot be withdrawn.")
    reviews.filter(state=Review.State.ASSIGNED).update(state=Review.State.CANCELLED)
    submission.state = Submission.State.WITHDRAWN
    submission.save(update_fields=["state", "updated_at"])
    return submission


@transaction.atomic
def attempt_allow(
    *, learner: User, page: MicroCredentialPage, note: str, granted_by: User
) -> AttemptAllowance:
    """One more attempt after the limit, with a note (e.g. after a coaching conversation)."""
    note = (note or "").strip()
    if not note:
        raise LeapError("Write a note on why another attempt is allowed.")
    # Lock the learner's submissions for this page, so two people allowing at once allow one.
    list(Submission.objects.select_for_update().filter(learner=learner, micro_credential=page))
    if attempts_get(learner=learner, page=page).left:
        raise LeapError("The learner still has an attempt left.")
    allowance = AttemptAllowance.objects.create(
        learner=learner, micro_credential=page, note=note, granted_by=granted_by
    )
    notify(
        user=learner, message=f"You may make another attempt at “{page.title}”.", url=page.url or ""
    )
    return allowance


def artifacts_blind_copies_make(*, retry: bool = False) -> tuple[int, list[Artifact]]:
    """Make the reviewers' copy of every stored file that has none (`retry`: also of those
    found unfit before). Returns how many were made and the artifacts withheld from
    review because none could be."""
    pending = Artifact.objects.exclude(file="").filter(blind_file="")
    if retry:
        pending.exclude(blind_problem="").update(blind_problem="")
    made, withheld = 0, []
    for artifact in pending.filter(blind_problem="").select_related("submission").iterator():
        done = artifact_blind_ensure(artifact=artifact)
        if done.blind_file:
            made += 1
        elif done.blind_problem:
            done.submission = artifact.submission
            withheld.append(done)
    return made, withheld


def artifacts_purge_orphans(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stored evidence files that no artifact refers to (left by an upload whose
    transaction rolled back, or a removal interrupted before its file went). Files newer
    than `older_than` are left alone: their rows may still be committing."""
    storage = private_storage()
    known = set(Artifact.objects.exclude(file="").values_list("file", flat=True))
    known |= set(Artifact.objects.exclude(blind_file="").values_list("blind_file", flat=True))
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        folders, _ = storage.listdir("artifacts")
    except FileNotFoundError:
        return 0
    for folder in folders:
        _, files = storage.listdir(f"artifacts/{folder}")
        for name in files:
            path = f"artifacts/{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                deleted += 1
    return deleted


@dataclass(frozen=True)
class Upload:
    """A file sent for an artifact slot; `read` gives its bytes (called only when its size
    is within the limit, so a huge file never goes into memory)."""

    slot_id: str
    name: str
    size: int
    read: Callable[[], bytes]


def submission_draft_update(
    *,
    submission: Submission,
    answers: dict[str, str],
    uploads: list[Upload] = (),
    links: dict[str, str] | None = None,
    remove: Artifact | None = None,
    revision: int | None = None,
) -> list[str]:
    """Apply everything one post of the draft form asks, in an order that loses nothing:
    the answers first (refused whole when one is over its word limit), then each file and
    link (a refused one is reported; the rest stay), then the removal. Each step is its own
    transaction. `revision` is the one the answers were typed on (see
    `submission_save_answers`): a conflict is raised, after the files, links and removal
    are applied (they add to the draft; they never replace another tab's work). Returns
    the problems, in sentences; none means all was saved."""
    problems = []
    conflict = None
    try:
        submission_save_answers(submission=submission, answers=answers, revision=revision)
    except DraftConflict as error:
        conflict = error
    except LeapError as error:
        problems += error.problems
    max_bytes = settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024
    for upload in uploads:
        if upload.size > max_bytes:
            problems.append(
                f"“{upload.name[:100]}” is {upload.size / 1_048_576:.1f} MB; files can be "
                f"at most {settings.LEAP_ARTIFACT_MAX_MB} MB."
            )
            continue
        try:
            artifact_add_file(
                submission=submission, slot_id=upload.slot_id, name=upload.name, data=upload.read()
            )
        except LeapError as error:
            problems += error.problems
    for slot_id, url in (links or {}).items():
        try:
            artifact_add_link(submission=submission, slot_id=slot_id, url=url)
        except LeapError as error:
            problems += error.problems
    if remove is not None:
        artifact_remove(artifact=remove)
    if conflict is not None:
        conflict.problems += problems
        raise conflict
    return problems
