"""The audit log itself: append-only in the ORM and in the database, readable after the actor's
account is gone, and told who acted and from where by the request context. No screen or
admin can change an entry."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.urls import get_resolver

from accounts.audit import Action, audit_record, export_record
from accounts.errors import LeapError
from accounts.models import AuditEntry
from accounts.request_context import acting_as
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(db):
    actor = UserFactory(email="ops@leap.example", display_name="Opal Staff")
    with acting_as(origin="test", actor=actor):
        return audit_record(
            action=Action.ROLE_CHANGED,
            target=actor,
            summary="Made a superuser",
            details={"before": False},
        )


def as_stored(entry: AuditEntry) -> dict:
    return AuditEntry.objects.filter(pk=entry.pk).values().get()


def test_an_entry_records_who_what_and_from_where(entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor.email == "ops@leap.example"
    assert (stored.actor_name, stored.actor_email) == ("Opal Staff", "ops@leap.example")
    assert stored.target_label == "Opal Staff" and stored.target_id == str(stored.actor.pk)
    assert stored.target_type.model == "user"
    assert (stored.summary, stored.details, stored.origin) == (
        "Made a superuser",
        {"before": False},
        "test",
    )
    assert stored.ip is None and stored.user_agent == ""


def test_the_orm_refuses_every_change_and_deletion(entry):
    before = as_stored(entry)
    entry.summary = "Nothing happened"
    with pytest.raises(LeapError, match="append-only"):
        entry.save()
    with pytest.raises(LeapError, match="append-only"):
        entry.delete()
    with pytest.raises(LeapError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="Nothing happened")
    with pytest.raises(LeapError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(actor=UserFactory())
    with pytest.raises(LeapError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(LeapError, match="append-only"):
        AuditEntry.objects.bulk_update([entry], ["summary"])
    assert as_stored(entry) == before


def raw(sql: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_an_update_by_plain_sql(entry):
    before = as_stored(entry)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE accounts_auditentry SET summary = %s WHERE id = %s", "Edited", entry.pk)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE accounts_auditentry SET actor_id = NULL, summary = %s", "Edited")
    assert as_stored(entry) == before


@pytest.mark.needs_postgres
def test_postgresql_refuses_a_delete_by_plain_sql(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM accounts_auditentry WHERE id = %s", entry.pk)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_the_actor_keeps_the_entry_readable(entry):
    actor = entry.actor
    actor.delete()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor is None
    assert stored.actor_label == "Opal Staff (ops@leap.example)"
    assert stored.summary == "Made a superuser"


def test_leap_acting_on_its_own_is_named_so(db):
    recorded = audit_record(action=Action.BADGE_AWARDED, actor=None, target_label="A badge")
    assert recorded.actor is None and recorded.actor_label == "Leap"
    assert recorded.origin == "system"


def test_a_request_gives_the_person_address_browser_and_request_id(client, settings):
    staff = UserFactory(is_staff=True, email="ops@leap.example")
    client.force_login(staff)
    response = client.get(
        "/audit/export.csv",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Firefox/140 " + "x" * 400,
        HTTP_X_REQUEST_ID="req-42",
        HTTP_X_FORWARDED_FOR="198.51.100.1",  # no proxy is trusted: the header is ignored
    )
    assert response.status_code == 200
    export = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert export.actor == staff and export.origin == "web"
    assert export.ip == "203.0.113.7"
    assert export.user_agent.startswith("Firefox/140") and len(export.user_agent) == 200
    assert export.request_id == "req-42"

    # Behind a trusted proxy, the address the proxy saw; a made-up request id is replaced.
    settings.LEAP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.get(
        "/audit/export.csv",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_X_REQUEST_ID="<script>",
    )
    latest = AuditEntry.objects.filter(action=Action.DATA_EXPORTED).latest("pk")
    assert latest.ip == "198.51.100.1"
    assert latest.request_id != "<script>" and len(latest.request_id) == 32


def test_outside_a_request_nobody_is_named_and_no_address_is_made_up(db):
    recorded = export_record(what="Issued badges (CSV)")
    assert (recorded.actor, recorded.ip, recorded.origin) == (None, None, "system")
    assert recorded.target_label == "Issued badges (CSV)"


def test_no_admin_and_no_url_can_change_an_entry():
    assert AuditEntry not in admin.site._registry
    audit_routes = sorted(
        str(pattern.pattern)
        for pattern in _every_pattern(get_resolver().url_patterns)
        if "audit" in str(pattern.pattern)
    )
    assert audit_routes == [
        "audit/",
        "audit/export.csv",
        "district/<slug:slug>/audit/",
        "district/<slug:slug>/audit/export.csv",
    ]


def _every_pattern(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _every_pattern(pattern.url_patterns)
        else:
            yield pattern


def test_the_screens_answer_only_to_reading(client):
    client.force_login(UserFactory(is_superuser=True))
    for url in ("/audit/", "/audit/export.csv"):
        assert client.post(url).status_code == 405
        assert client.delete(url).status_code == 405
