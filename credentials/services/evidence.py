"""Submitting evidence: start, save a draft, add and remove artifacts, submit, withdraw,
and allowing another attempt after the limit."""

from dataclasses import asdict, dataclass
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from credentials.models import (
    Artifact,
    Assertion,
    AttemptAllowance,
    Review,
    Submission,
    private_storage,
)
from credentials.uploads import UploadError, check_upload, word_count


class EvidenceError(Exception):
    """The request cannot be done; `problems` says what, in sentences for the learner."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


# The page's requirements as plain data.


@dataclass(frozen=True)
class Requirement:
    id: str
    kind: str  # overview_question, artifact, reflection
    label: str
    required: bool
    word_limit: int | None = None
    file_types: tuple[str, ...] = ()
    allow_link: bool = False
    max_files: int = 1
    guidance: str = ""

    @property
    def takes_text(self) -> bool:
        return self.kind in ("overview_question", "reflection")

    @property
    def file_type_labels(self) -> list[str]:
        from cms.blocks import ARTIFACT_FILE_TYPES

        labels = dict(ARTIFACT_FILE_TYPES)
        return [labels.get(kind, kind) for kind in self.file_types]

    @property
    def accept(self) -> str:
        """For the file input's `accept`: the extensions of the formats the slot takes."""
        from credentials.uploads import EXTENSION_FORMATS, KIND_FORMATS

        formats = set().union(*(KIND_FORMATS.get(kind, set()) for kind in self.file_types))
        return ",".join(
            sorted(f".{ext}" for ext, fmt in EXTENSION_FORMATS.items() if fmt in formats)
        )


def requirements_of(page) -> list[Requirement]:
    items = []
    for block in page.requirements:
        value = block.value
        if block.block_type == "artifact":
            items.append(
                Requirement(
                    id=block.id,
                    kind="artifact",
                    label=value["title"],
                    required=bool(value.get("required")),
                    file_types=tuple(value.get("file_types") or ()),
                    allow_link=bool(value.get("allow_link")),
                    max_files=value.get("max_files") or 1,
                    guidance=value.get("guidance", ""),
                )
            )
        else:
            items.append(
                Requirement(
                    id=block.id,
                    kind=block.block_type,
                    label=value.get("question") or value.get("prompt", ""),
                    required=bool(value.get("required")),
                    word_limit=value.get("word_limit"),
                )
            )
    return items


def requirements_for(submission: Submission) -> list[Requirement]:
    """What the submission answers: as pinned when it was submitted, or the page's now."""
    if submission.requirements:
        return [
            Requirement(**{**item, "file_types": tuple(item["file_types"])})
            for item in submission.requirements
        ]
    return requirements_of(submission.micro_credential)


def rubric_of(page) -> list[tuple[str, dict]]:
    return [(block.id, dict(block.value)) for block in page.rubric]


def rubric_for(submission: Submission) -> list[tuple[str, dict]]:
    """The rubric the submission is assessed against: pinned when it was submitted."""
    if submission.rubric:
        return [(item["id"], item) for item in submission.rubric]
    return rubric_of(submission.micro_credential)


def _requirement(page, slot_id: str) -> Requirement:
    for requirement in requirements_of(page):
        if requirement.id == slot_id:
            return requirement
    raise EvidenceError("That part of the requirements no longer exists.")


# Attempts.

COUNTED_STATES = (
    Submission.State.SUBMITTED,
    Submission.State.IN_REVIEW,
    Submission.State.EARNED,
    Submission.State.NOT_YET,
)


@dataclass
class Attempts:
    used: int
    allowed: int

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.used)


def attempts_for(*, learner, page) -> Attempts:
    """Submitted attempts (a withdrawn one does not count) and how many are allowed."""
    used = Submission.objects.filter(
        learner=learner, micro_credential=page, state__in=COUNTED_STATES
    ).count()
    extra = AttemptAllowance.objects.filter(learner=learner, micro_credential=page).count()
    return Attempts(used=used, allowed=page.attempt_limit + extra)


def _holds_badge(learner, page) -> bool:
    return (
        Assertion.objects.live()
        .filter(recipient=learner, badge_family=f"micro-credential:{page.pk}")
        .exists()
    )


# Writes.


@transaction.atomic
def submission_start(*, learner, page) -> Submission:
    """The learner's open submission for this micro-credential, or a new draft."""
    open_one = Submission.objects.filter(
        learner=learner, micro_credential=page, state__in=Submission.OPEN_STATES
    ).first()
    if open_one is not None:
        return open_one
    if not page.live:
        raise EvidenceError("This micro-credential is not published.")
    if _holds_badge(learner, page):
        raise EvidenceError("You hold this badge already.")
    attempts = attempts_for(learner=learner, page=page)
    if attempts.left == 0:
        raise EvidenceError(
            f"You have used all {attempts.allowed} attempts. A lead reviewer or your district "
            "admin can allow another after talking through the feedback with you."
        )
    last = Submission.objects.filter(learner=learner, micro_credential=page).aggregate(
        Max("attempt")
    )["attempt__max"]
    try:
        with transaction.atomic():
            return Submission.objects.create(
                learner=learner, micro_credential=page, attempt=(last or 0) + 1
            )
    except IntegrityError:  # started at the same moment in another tab
        return Submission.objects.get(
            learner=learner, micro_credential=page, state__in=Submission.OPEN_STATES
        )


def _locked_draft(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != Submission.State.DRAFT:
        raise EvidenceError("This submission has been sent for review and cannot change.")
    return locked


def _word_problems(requirements: list[Requirement], answers: dict[str, str]) -> list[str]:
    problems = []
    for requirement in requirements:
        text = answers.get(requirement.id, "")
        words = word_count(text)
        if requirement.word_limit and words > requirement.word_limit:
            problems.append(
                f"“{requirement.label}”: {words} words; the limit is {requirement.word_limit}."
            )
    return problems


@transaction.atomic
def submission_save_answers(*, submission: Submission, answers: dict[str, str]) -> Submission:
    """Save the written answers of a draft. An answer over its word limit is refused, and
    then nothing is saved (the form keeps the learner's text to shorten)."""
    submission = _locked_draft(submission)
    requirements = [r for r in requirements_of(submission.micro_credential) if r.takes_text]
    cleaned = {r.id: (answers.get(r.id) or "").strip() for r in requirements if r.id in answers}
    problems = _word_problems(requirements, cleaned)
    if problems:
        raise EvidenceError(problems)
    submission.answers = {**submission.answers, **cleaned}
    submission.save(update_fields=["answers", "updated_at"])
    return submission


@transaction.atomic
def artifact_add_file(*, submission: Submission, slot_id: str, name: str, data: bytes) -> Artifact:
    """Add a file to an artifact slot: the type is checked from the content, photos lose
    their metadata, the stored name is random. A refused file changes nothing."""
    submission = _locked_draft(submission)
    slot = _requirement(submission.micro_credential, slot_id)
    if slot.kind != "artifact" or not slot.file_types:
        raise EvidenceError(f"“{slot.label}” takes a link, not a file.")
    if submission.artifacts.filter(slot_id=slot_id).count() >= slot.max_files:
        raise EvidenceError(
            f"“{slot.label}” takes at most {slot.max_files}"
            f" item{'s' if slot.max_files > 1 else ''}; remove one first."
        )
    try:
        checked = check_upload(
            name=name,
            data=data,
            accepted_kinds=list(slot.file_types),
            max_bytes=settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024,
        )
    except UploadError as error:
        raise EvidenceError(str(error)) from None
    artifact = Artifact(
        submission=submission,
        slot_id=slot_id,
        original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:255],
        name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
    )
    artifact.file.save(checked.name, ContentFile(checked.data), save=False)
    try:
        artifact.save()
    except Exception:
        artifact.file.delete(save=False)
        raise
    return artifact


@transaction.atomic
def artifact_add_link(*, submission: Submission, slot_id: str, url: str) -> Artifact:
    submission = _locked_draft(submission)
    slot = _requirement(submission.micro_credential, slot_id)
    if slot.kind != "artifact" or not slot.allow_link:
        raise EvidenceError(f"“{slot.label}” takes files, not links.")
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 1000:
        raise EvidenceError("Enter a full web address starting with https:// (or http://).")
    if submission.artifacts.filter(slot_id=slot_id).count() >= slot.max_files:
        raise EvidenceError(f"“{slot.label}” takes at most {slot.max_files}; remove one first.")
    return Artifact.objects.create(submission=submission, slot_id=slot_id, url=url)


@transaction.atomic
def artifact_remove(*, artifact: Artifact) -> None:
    _locked_draft(artifact.submission)
    stored = artifact.file.name
    storage = artifact.file.storage
    artifact.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def submission_problems(submission: Submission) -> list[str]:
    """What still stops the submission, in words: empty required answers and slots."""
    requirements = requirements_of(submission.micro_credential)
    filled_slots = set(submission.artifacts.values_list("slot_id", flat=True))
    problems = []
    for requirement in requirements:
        if not requirement.required:
            continue
        if requirement.takes_text and not submission.answers.get(requirement.id, "").strip():
            problems.append(f"Answer “{requirement.label}”.")
        elif requirement.kind == "artifact" and requirement.id not in filled_slots:
            problems.append(
                f"Add {'a file or link' if requirement.allow_link else 'a file'} "
                f"for “{requirement.label}”."
            )
    return problems + _word_problems([r for r in requirements if r.takes_text], submission.answers)


@transaction.atomic
def submission_submit(*, submission: Submission, privacy_confirmed: bool) -> Submission:
    """Send a complete draft for review. Says exactly what is missing otherwise."""
    submission = _locked_draft(submission)
    problems = submission_problems(submission)
    if not privacy_confirmed:
        problems.append(
            "Confirm that your artifacts show no student's personal information, or that "
            "consent is on file."
        )
    attempts = attempts_for(learner=submission.learner, page=submission.micro_credential)
    if attempts.left == 0:
        problems.append(f"You have used all {attempts.allowed} attempts.")
    if problems:
        raise EvidenceError(problems)
    from credentials.services.badges import AwardError, badge_class_for_micro_credential

    page = submission.micro_credential
    try:
        submission.badge_class = badge_class_for_micro_credential(
            page=page, recipient=submission.learner
        )
    except AwardError as error:
        raise EvidenceError(str(error)) from None
    submission.requirements = [asdict(r) for r in requirements_of(page)]
    submission.rubric = [{"id": cid, **value} for cid, value in rubric_of(page)]
    now = timezone.now()
    submission.state = Submission.State.SUBMITTED
    submission.submitted_at = now
    submission.privacy_confirmed_at = now
    submission.save()
    from credentials.services.review import after_submit

    after_submit(submission)
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    """Withdraw before review starts (no reviewer has recorded scores). A withdrawn
    submission does not count as an attempt."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state not in (
        Submission.State.DRAFT,
        Submission.State.SUBMITTED,
        Submission.State.IN_REVIEW,
    ):
        raise EvidenceError("This submission has been decided and cannot be withdrawn.")
    reviews = submission.reviews.all()
    if reviews.filter(state=Review.State.COMPLETED).exists():
        raise EvidenceError(
            "A reviewer has already scored this submission, so it cannot be withdrawn."
        )
    reviews.filter(state=Review.State.ASSIGNED).update(state=Review.State.CANCELLED)
    submission.state = Submission.State.WITHDRAWN
    submission.save(update_fields=["state", "updated_at"])
    return submission


@transaction.atomic
def attempt_allow(*, learner, page, note: str, granted_by) -> AttemptAllowance:
    """One more attempt after the limit, with a note (e.g. after a coaching conversation)."""
    from credentials.services.review import notify

    note = (note or "").strip()
    if not note:
        raise EvidenceError("Write a note on why another attempt is allowed.")
    # Lock the learner's submissions for this page, so two people allowing at once allow one.
    list(Submission.objects.select_for_update().filter(learner=learner, micro_credential=page))
    if attempts_for(learner=learner, page=page).left:
        raise EvidenceError("The learner still has an attempt left.")
    allowance = AttemptAllowance.objects.create(
        learner=learner, micro_credential=page, note=note, granted_by=granted_by
    )
    notify(
        user=learner, message=f"You may make another attempt at “{page.title}”.", url=page.url or ""
    )
    return allowance


def artifacts_purge_orphans(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stored evidence files that no artifact refers to (left by an upload whose
    transaction rolled back, or a removal interrupted before its file went). Files newer
    than `older_than` are left alone: their rows may still be committing."""
    storage = private_storage()
    known = set(Artifact.objects.exclude(file="").values_list("file", flat=True))
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


__all__ = [
    "artifacts_purge_orphans",
    "Attempts",
    "EvidenceError",
    "Requirement",
    "artifact_add_file",
    "artifact_add_link",
    "artifact_remove",
    "attempt_allow",
    "attempts_for",
    "requirements_for",
    "requirements_of",
    "rubric_for",
    "rubric_of",
    "submission_problems",
    "submission_save_answers",
    "submission_start",
    "submission_submit",
    "submission_withdraw",
]
