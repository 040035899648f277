"""The requirements and rubric of a micro-credential as plain data: what a learner answers
and what reviewers score. Read from the page while a submission is a draft, and from the
copy pinned on the submission once it is sent."""

from dataclasses import dataclass

from cms.blocks import file_type_labels
from cms.models import MicroCredentialPage
from credentials.models import Submission
from credentials.uploads import EXTENSION_FORMATS, KIND_FORMATS


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
        return file_type_labels(self.file_types)

    @property
    def accept(self) -> str:
        """For the file input's `accept`: the extensions of the formats the slot takes."""
        formats = set().union(*(KIND_FORMATS.get(kind, set()) for kind in self.file_types))
        return ",".join(
            sorted(f".{ext}" for ext, fmt in EXTENSION_FORMATS.items() if fmt in formats)
        )


def requirements_of(page: MicroCredentialPage) -> list[Requirement]:
    """The page's requirements as published now."""
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


def requirement_of(page: MicroCredentialPage, slot_id: str) -> Requirement | None:
    return next((r for r in requirements_of(page) if r.id == slot_id), None)


def rubric_of(page: MicroCredentialPage) -> list[tuple[str, dict]]:
    """The page's rubric: (criterion block id, block value) in order."""
    return [(block.id, dict(block.value)) for block in page.rubric]


def rubric_for(submission: Submission) -> list[tuple[str, dict]]:
    """The rubric the submission is assessed against: pinned when it was submitted."""
    if submission.rubric:
        return [(item["id"], item) for item in submission.rubric]
    return rubric_of(submission.micro_credential)
