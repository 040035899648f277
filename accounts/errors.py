"""One application error for every app: a service that cannot do what it was asked raises
`LeapError`, saying why in sentences for the person, and changes nothing. Views turn it into
form errors or messages."""

from collections.abc import Iterable


class LeapError(Exception):
    """What was asked cannot be done. `problems` are sentences for the person; `fields`
    maps a form field's name to the problems that belong to it."""

    def __init__(
        self, problems: str | Iterable[str] = (), *, fields: dict[str, list[str]] | None = None
    ):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.fields = {name: list(messages) for name, messages in (fields or {}).items()}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return " ".join(self.every_problem)

    @property
    def every_problem(self) -> list[str]:
        return [*self.problems, *(p for messages in self.fields.values() for p in messages)]

    def add_to_form(self, form) -> None:
        """Show the problems on a Django form: each field's beside it (or at the top when
        the form has no such field), the rest at the top."""
        for name, messages in self.fields.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        for problem in self.problems:
            form.add_error(None, problem)
