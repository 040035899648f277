"""Scale data, part one: the people (`python manage.py seed_scale`, which explains the whole).

Every account it makes has an e-mail address starting with `scale-` on SCALE_DOMAIN, so
`--replace` finds them, and nobody else, again. Learners, reviewers and the four named
people the benchmarks sign in as (`scale-heavy@…`, `scale-reviewer@…`,
`scale-district-admin@…`, `scale-lead@…`); what they do (districts, badges, reviews) is
added by the apps above, which find them in `report.shared["people"]`.

The bulk helpers below (`bulk_insert`, `rows_delete`) are here because every app's scale
module uses them and accounts is the floor every app may import."""

import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.utils import timezone

from .models import User

PREFIX = "scale-"
SCALE_DOMAIN = "scale.example"
BATCH = 5_000
# The people the benchmarks ask for by name: (key in scale.json, display name).
NAMED = {
    "heavy": "Morgan Ellery",
    "reviewer": "Reese Adair",
    "district-admin": "Dana Whitlock",
    "lead": "Lena Marsh",
}
FIRST_NAMES = [
    "Ana", "Ben", "Chloe", "Daniel", "Elena", "Farah", "Gabriel", "Hana", "Isaac", "Jamal",
    "Keiko", "Liam", "Maya", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samir", "Tara",
    "Umar", "Valeria", "Wei", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri",
    "Esther", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Luca", "Mei", "Nadia",
]  # fmt: skip
LAST_NAMES = [
    "Adams", "Becker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
    "Kim", "Lopez", "Moreno", "Nguyen", "Okafor", "Patel", "Quinn", "Reyes", "Silva", "Tanaka",
    "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer", "Andersen", "Brooks", "Costa", "Dubois",
    "Ellis", "Farouk", "Grant", "Hughes", "Iqbal", "Jovanovic", "Kowalski", "Larsen", "Mensah",
    "Novak",
]  # fmt: skip


# Helpers every app's scale module uses.


def uuid_from(rng) -> uuid.UUID:
    """A version-4 UUID drawn from the plan's generator, so the same seed gives the same one."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@contextmanager
def _times_as_given(model: type[models.Model]):
    """While inserting scale data, `auto_now` and `auto_now_add` fields keep the times the
    rows were given (a post written last week says last week), instead of all saying now.
    Only for this process and only for the insert."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield [f.attname for f in fields]
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def bulk_insert(
    model: type[models.Model], rows: Iterable[models.Model], *, report, now=None
) -> list:
    """Insert the rows in batches of BATCH with `bulk_create` and return their primary keys
    in order. On purpose this skips `save()` and every signal: scale data sends no e-mail,
    queues no outbox work (baking, webhooks, reminders) and writes no audit entries, as a
    real award or enrolment would. A time field Django fills by itself (`auto_now`) keeps
    the time given, or `now` when none was."""
    now = now or timezone.now()
    pks: list = []
    rows = iter(rows)
    with _times_as_given(model) as auto_fields:
        while batch := list(islice(rows, BATCH)):
            for row in batch:
                for name in auto_fields:
                    if getattr(row, name) is None:
                        setattr(row, name, now)
            model.objects.bulk_create(batch, batch_size=BATCH)
            pks.extend(row.pk for row in batch)
    report.made(model, len(pks))
    return pks


def rows_delete(queryset: models.QuerySet) -> int:
    """Delete the rows in one statement, without loading them or sending signals (none of
    the scale tables has a receiver; the caller deletes the rows that point at these
    first, or in the same transaction). Django's `delete()` would load every row of a
    200,000-row table to cascade by hand."""
    return queryset._raw_delete(queryset.db)


# The people.


def scale_users() -> models.QuerySet:
    return User.objects.filter(email__startswith=PREFIX, email__endswith=f"@{SCALE_DOMAIN}")


def present() -> bool:
    return scale_users().exists()


def remove(report) -> None:
    """The scale people, once the apps above removed what they made for them. Rows anyone
    else made about them since (a notification, a session's second factor) go too: one
    statement per table that points at users, as Django's `delete()` would cascade them
    but without loading 20,000 users to do it."""
    people = scale_users()
    for relation in User._meta.get_fields(include_hidden=True):
        # Every foreign key to users (hidden ones and many-to-many tables' too).
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        rows = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": people})
        if relation.on_delete is models.CASCADE:
            rows_delete(rows)
        elif relation.on_delete is models.SET_NULL:
            rows.update(**{relation.field.name: None})
    for field in User._meta.many_to_many:  # their groups and permissions
        through = field.remote_field.through
        rows_delete(through._base_manager.filter(**{f"{field.m2m_field_name()}__in": people}))
    report.removed("people", rows_delete(people))


def _people(plan) -> list[tuple[str, str, str]]:
    """(kind, e-mail, display name) of everyone, in a fixed order."""
    rng = plan.rng
    people = []
    for kind, count in (("learners", plan.learners), ("reviewers", plan.reviewers)):
        for number in range(1, count + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{PREFIX}{first}.{last}.{kind[0]}{number:06d}@{SCALE_DOMAIN}".lower()
            people.append((kind, email, f"{first} {last}"))
    for key, name in NAMED.items():
        people.append((key, f"{PREFIX}{key}@{SCALE_DOMAIN}", name))
    return people


def seed(plan, report) -> None:
    rng = plan.rng
    people = _people(plan)
    joined_since = plan.now - timedelta(days=3 * 365)
    users = []
    for _kind, email, name in people:
        joined = joined_since + timedelta(seconds=rng.randrange(3 * 365 * 86400 - 86400))
        users.append(
            User(
                email=email,
                display_name=name,
                # No password: nobody signs in to these accounts with one (the benchmarks
                # sign in by session), and hashing 20,000 would take minutes.
                password=f"{UNUSABLE_PASSWORD_PREFIX}{rng.getrandbits(160):040x}",
                is_active=True,
                date_joined=joined,
                credential_subject=uuid_from(rng),
            )
        )
    pks = bulk_insert(User, users, report=report)
    bulk_insert(
        EmailAddress,
        (
            EmailAddress(user_id=pk, email=email, verified=True, primary=True)
            for pk, (_kind, email, _name) in zip(pks, people, strict=True)
        ),
        report=report,
    )
    kinds: dict[str, list[int]] = {"learners": [], "reviewers": []}
    named = {}
    for pk, (kind, _email, _name) in zip(pks, people, strict=True):
        if kind in kinds:
            kinds[kind].append(pk)
        else:
            named[kind] = pk
    report.shared["people"] = {
        "learners": kinds["learners"],
        "reviewers": kinds["reviewers"],
        "named": named,
        # What an award records of its recipient, without reading 20,000 users again.
        "email": {pk: email for pk, (_kind, email, _name) in zip(pks, people, strict=True)},
        "subject": {user.pk: user.credential_subject for user in users},
        "joined": {user.pk: user.date_joined for user in users},
    }
    report.fixture(
        "users",
        {key: {"id": named[key], "email": f"{PREFIX}{key}@{SCALE_DOMAIN}"} for key in NAMED},
    )
