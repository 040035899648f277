"""A pathway's steps as plain data, read from the stored StreamField JSON: no page lookups,
so listing many pathways' progress costs no extra queries."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StepInfo:
    id: str
    kind: str
    title: str
    required: bool
    micro_credential_id: int | None


def pathway_steps(pathway) -> list[StepInfo]:
    steps = []
    for item in pathway.steps.raw_data:
        value = item.get("value") or {}
        steps.append(
            StepInfo(
                id=item["id"],
                kind=item["type"],
                title=value.get("title", ""),
                required=bool(value.get("required", True)),
                micro_credential_id=(
                    value.get("micro_credential") if item["type"] == "micro_credential" else None
                ),
            )
        )
    return steps


def required_step_ids(steps: list[StepInfo]) -> set[str]:
    """The steps that complete a pathway: those marked required, or every step when an
    editor marked none (so a pathway is never complete before anything is done)."""
    return {step.id for step in steps if step.required} or {step.id for step in steps}


@dataclass(frozen=True)
class Progress:
    done: int
    required: int
    next_step: StepInfo | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 100


def progress_of(steps: list[StepInfo], done_ids: set[str]) -> Progress:
    """Required steps done out of required steps, and the first step not yet done
    (required steps first; an optional one only when every required step is done)."""
    required_ids = required_step_ids(steps)
    required = [step for step in steps if step.id in required_ids]
    pending = [step for step in required if step.id not in done_ids] or [
        step for step in steps if step.id not in done_ids
    ]
    return Progress(
        done=sum(1 for step in required if step.id in done_ids),
        required=len(required),
        next_step=pending[0] if pending else None,
    )
