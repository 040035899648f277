"""Keyset pagination for the long lists on Leap's screens (a reviewer's queue, a district's
members and invitations). A page is the rows just after, or just before, a row the visitor
has already seen, found by the list's ordering columns, so the database reads one page at
any depth, and a row added between two pages is neither shown twice nor skipped. A page
costs two queries whatever the list's length: its rows, and one aggregate for the total and
the first row's position ("Showing 26–50 of 500").

The cursor in the address is the boundary row's ordering values, in base64 JSON, when they
are dates and numbers (a due date, a sending time, the key). A name or an e-mail address is
never put in an address, where it would end up in server logs, browser history and
`Referer` headers: when the ordering has a text column, the cursor carries only the row's key
and the page reads the row's values from the same list in a subquery, so it still costs two
queries. Such a cursor follows its row if the row moves in the order (a member renamed or
deactivated meanwhile: "Next" then goes on from where that member is now), and gives the
first page once the row has left the list.

A cursor is a bookmark, not a secret: it can only narrow the queryset it is applied to. A
cursor that is not one of ours (edited, cut short, stale) gives the first page, and so does
"Previous" from a page that starts within a page's length of the top, so that page is always
full."""

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import (
    CharField,
    Count,
    FloatField,
    Model,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.http import QueryDict
from django.utils import timezone

AFTER = "a"
BEFORE = "b"
# Longer than any cursor Leap makes (a few dates and numbers), so a longer one is not ours
# and is refused before it is decoded.
CURSOR_MAX_LENGTH = 1024


@dataclass(frozen=True)
class KeysetPage:
    items: list
    total: int
    start: int  # the first row's position in the whole list, from 1 (0 when there is none)
    next_cursor: str | None = None
    previous_cursor: str | None = None  # "" when the page before is the first page
    counts: dict = field(default_factory=dict)  # the extra aggregates asked for
    next_url: str = ""
    previous_url: str = ""

    @property
    def end(self) -> int:
        return self.start + len(self.items) - 1 if self.items else 0

    @property
    def has_other_pages(self) -> bool:
        return self.next_cursor is not None or self.previous_cursor is not None

    def linked(
        self, query: QueryDict, param: str, *, path: str = "", anchor: str = ""
    ) -> "KeysetPage":
        """This page with the addresses of the pages either side: `path` (else the current
        one) with the request's query, `param` set to their cursor and every other
        parameter (filters, another list's cursor) kept, then `anchor`."""
        return replace(
            self,
            next_url=_url(query, param, self.next_cursor, path, anchor),
            previous_url=_url(query, param, self.previous_cursor, path, anchor),
        )


def _url(query: QueryDict, param: str, cursor: str | None, path: str, anchor: str) -> str:
    if cursor is None:
        return ""
    params = query.copy()
    params.pop(param, None)
    if cursor:
        params[param] = cursor
    encoded = params.urlencode()
    return f"{path}?{encoded}{anchor}" if encoded else f"{path or '?'}{anchor}"


@dataclass(frozen=True)
class _Column:
    path: str  # as given to order_by, without the sign
    descending: bool
    field: object  # the model field its values are parsed with

    def after(self, value) -> Q:
        return Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})

    def before(self, value) -> Q:
        return Q(**{f"{self.path}__{'gt' if self.descending else 'lt'}": value})

    @property
    def private(self) -> bool:
        """Text (a name, an address) that must not travel in a cursor."""
        return isinstance(self.field, CharField | TextField)


def _by_key(columns: list["_Column"]) -> bool:
    """Whether cursors of this ordering carry only the row's key (see the module's doc)."""
    return any(column.private for column in columns)


def _columns(model: type[Model], ordering: Sequence[str]) -> list[_Column]:
    if not ordering or ordering[-1].lstrip("-") not in {"pk", "id"}:
        raise ValueError("A keyset ordering ends with the primary key, so it is total.")
    return [
        _Column(
            path=name.lstrip("-"),
            descending=name.startswith("-"),
            field=_field(model, name.lstrip("-")),
        )
        for name in ordering
    ]


def _field(model: type[Model], path: str):
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    if last == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(last)
    except FieldDoesNotExist as error:
        raise ValueError(f"{path} is not a column: keyset pages order by columns.") from error


def _value(item: Model, path: str):
    value = item
    for name in path.split("__"):
        value = getattr(value, name)
    return value


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def cursor_make(item: Model, ordering: Sequence[str], direction: str = AFTER) -> str:
    """The cursor of the page just after (or, with BEFORE, just before) `item`: its ordering
    values, or only its key when one of them is text."""
    values = [_jsonable(_value(item, name.lstrip("-"))) for name in ordering]
    if any(value is None for value in values):
        raise ValueError("Keyset ordering columns must not be empty.")
    carried = values[-1] if _by_key(_columns(type(item), ordering)) else values
    text = json.dumps([direction, carried], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _cursor_read(cursor: str, columns: list[_Column]) -> tuple[str, list] | None:
    """The direction and values a cursor carries (for a cursor by key, only the key), or
    None when it is not one of ours. Whatever is in it, a cursor that passes is one the
    database takes without an error."""
    if len(cursor) > CURSOR_MAX_LENGTH:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        direction, raw = json.loads(text)
        if direction not in (AFTER, BEFORE):
            return None
        if _by_key(columns):
            if isinstance(raw, list):  # values, names among them: not a cursor we make
                return None
            columns, raw = columns[-1:], [raw]
        if not isinstance(raw, list) or len(raw) != len(columns):
            return None
        values = []
        for column, value in zip(columns, raw, strict=True):
            if value is None or isinstance(value, list | dict):
                return None
            # JSON numbers with a point, 1e400 and Infinity are floats: never a key or a name.
            if isinstance(value, float) and not (
                isinstance(column.field, FloatField) and math.isfinite(value)
            ):
                return None
            if isinstance(value, str):
                if "\x00" in value:  # PostgreSQL refuses NUL
                    return None
                value.encode()  # a lone surrogate ("\ud800") cannot be sent to the database
            value = column.field.to_python(value)
            column.field.run_validators(value)  # an integer out of range, say
            if isinstance(value, datetime):
                if timezone.is_naive(value):
                    return None
                value = value.astimezone(UTC)  # an extreme offset overflows here, not later
            values.append(value)
    except (
        ValueError,  # UnicodeError among them
        TypeError,
        OverflowError,
        RecursionError,
        ValidationError,
        binascii.Error,
    ):
        return None
    return direction, values


def _beyond(columns: list[_Column], values: list, direction: str) -> Q:
    """Rows after (or before) the row whose ordering values are `values`: greater in the
    first column, or equal there and greater in the next, and so on."""
    beyond = Q()
    for i, column in enumerate(columns):
        ties = Q(**{c.path: v for c, v in zip(columns[:i], values[:i], strict=True)})
        step = column.after(values[i]) if direction == AFTER else column.before(values[i])
        beyond |= ties & step  # an empty Q() joins as nothing
    return beyond


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: Sequence[str],
    cursor: str | None,
    size: int,
    counts: dict | None = None,
) -> KeysetPage:
    """One page of `queryset` in `ordering` (order_by names, the last one the primary key;
    no column may be empty): the first `size` rows, or the `size` rows just past the
    cursor's row. Two queries: the rows, and the total with the position of the first row
    and any `counts` (name: aggregate) over the whole queryset."""
    columns = _columns(queryset.model, ordering)
    read = _cursor_read(cursor, columns) if cursor else None
    if read is not None and _by_key(columns):
        direction, (key,) = read
        read = direction, _values_of(queryset, columns, key)
    if read is None:
        items = list(queryset.order_by(*ordering)[:size])
        figures = queryset.order_by().aggregate(_total=Count("pk"), **(counts or {}))
        start = 1 if items else 0
    else:
        direction, values = read
        beyond = _beyond(columns, values, direction)
        if direction == AFTER:
            items = list(queryset.filter(beyond).order_by(*ordering)[:size])
        else:
            backwards = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
            items = list(queryset.filter(beyond).order_by(*backwards)[:size])[::-1]
        if not items:  # everything past the cursor went (done, deleted): start again
            return keyset_page(queryset, ordering=ordering, cursor=None, size=size, counts=counts)
        figures = queryset.order_by().aggregate(
            _total=Count("pk"), _beyond=Count("pk", filter=beyond), **(counts or {})
        )
        if direction == AFTER:
            start = figures["_total"] - figures["_beyond"] + 1
        else:
            start = figures["_beyond"] - len(items) + 1
    total = figures.pop("_total")
    figures.pop("_beyond", None)
    start = max(start, 1) if items else 0  # rows may come and go between the two queries
    end = start + len(items) - 1
    return KeysetPage(
        items=items,
        total=total,
        start=start,
        next_cursor=cursor_make(items[-1], ordering, AFTER) if items and end < total else None,
        previous_cursor=_previous(items, ordering, start, size),
        counts=figures,
    )


def _values_of(queryset: QuerySet, columns: list[_Column], key) -> list:
    """The ordering values of the row with primary key `key`, as subqueries over the same
    list: NULL, so that nothing is beyond them, when the row is not in it (any more)."""
    row = queryset.order_by().filter(pk=key)
    return [Subquery(row.values(column.path)[:1]) for column in columns[:-1]] + [key]


def _previous(items: list, ordering: Sequence[str], start: int, size: int) -> str | None:
    # Going back to near the top lands on the first page, full, not on a short page of
    # whatever came in ahead of it since.
    if start <= 1:
        return None
    return "" if start - 1 <= size else cursor_make(items[0], ordering, BEFORE)
