"""A bulk award does each chunk of rows set-based (`bulk_award_chunk`, `assertions_award`),
and the outcome is the one the row-by-row path gives: the same badges, issuers, status
bits, credit, completed pathways, audit entries, notices, e-mails, webhooks and baked
images. Each test runs both ways; the chunk's queries do not grow with its rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import batch
from accounts.models import AuditEntry, BatchJob, Notification, NotificationSettings
from credentials.models import Assertion, StatusListEntry
from credentials.services import bulk
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from integrations.models import WebhookDelivery, WebhookEndpoint
from learning.models import CreditEntry
from learning.services import enrolment_enrol
from tests.credentials.test_district_issuer import district_issuer  # noqa: F401 (fixture)
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    PathwayPageFactory,
    UserFactory,
    step,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["chunk", "row"])
def path(request, monkeypatch):
    """Run the test with chunks awarded set-based, then with rows awarded one by one."""
    if request.param == "row":
        monkeypatch.delattr(bulk.bulk_award_row, "for_chunk")
    return request.param


@pytest.fixture
def registrar(db):
    return UserFactory(email="registrar@district.example", display_name="Rae Registrar")


@pytest.fixture
def district(db):
    return DistrictFactory(name="Springfield Public Schools", slug="springfield")


def csv_of(people, page) -> bytes:
    return ("email,badge\n" + "".join(f"{p.email},{page.slug}\n" for p in people)).encode()


def run(people, page, registrar, capture, *, execute=True) -> BatchJob:
    with capture(execute=execute):
        result = bulk.bulk_award_start(
            data=csv_of(people, page), awarded_by=registrar, file_name="staff.csv"
        )
    assert result.ok, result.errors
    if not execute:
        batch.batch_run(job_id=result.job.pk)
    result.job.refresh_from_db()
    return result.job


def test_a_mixed_file_comes_out_the_same_either_way(
    path,
    micro_credential,
    district,
    district_issuer,  # noqa: F811 (fixture): the district issues this micro-credential
    registrar,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    district.pd_hours_per_badge = Decimal("2.5")
    district.save()
    plain, member, holder, lapsed, pathway_learner, digest, silent = (
        UserFactory(email=f"{name}@school.example", display_name=name.title())
        for name in ("plain", "member", "holder", "lapsed", "walker", "digest", "silent")
    )
    MembershipFactory(district=district, user=member)
    platform_badge = badge_class_for_micro_credential(page=micro_credential)
    held = assertion_award(recipient=holder, badge_class=platform_badge, notify=False)
    expired = assertion_award(recipient=lapsed, badge_class=platform_badge, notify=False)
    Assertion.objects.filter(pk=expired.pk).update(expires_on=timezone.now() - dt.timedelta(days=1))
    pathway = PathwayPageFactory(
        parent=micro_credential.get_parent().get_parent(),
        title="Data Pathway",
        steps=[step("micro_credential", "Earn it", micro_credential=micro_credential.pk)],
    )
    enrolment = enrolment_enrol(user=pathway_learner, pathway=pathway)
    NotificationSettings.objects.create(user=digest, email_mode="digest")
    NotificationSettings.objects.create(user=silent, email_mode="none")
    mailoutbox.clear()
    awarded = [plain, member, lapsed, pathway_learner, digest, silent]

    job = run(
        [plain, member, holder, lapsed, pathway_learner, digest, silent],
        micro_credential,
        registrar,
        django_capture_on_commit_callbacks,
    )

    assert (job.state, job.outcomes, job.failures) == (
        "done",
        {"awarded": 6, "already_held": 1},
        [],
    )
    new = {a.recipient: a for a in Assertion.objects.filter(awarded_by=registrar)}
    assert set(new) == set(awarded)
    assert Assertion.objects.get(pk=held.pk).is_current  # the badge held is untouched
    assert not Assertion.objects.get(pk=expired.pk).is_current  # kept on record, renewed
    assert all(a.is_current and a.status == "valid" for a in new.values())
    # The district issues its member's badge; the platform everyone else's.
    assert new[member].badge_class.issuer == district_issuer
    assert {new[p].badge_class.issuer.is_platform for p in awarded if p != member} == {True}
    # One status bit each, all different within an issuer's list.
    bits = StatusListEntry.objects.filter(assertion__in=new.values())
    assert bits.count() == 6
    assert len({(b.issuer_id, b.number, b.index) for b in bits}) == 6
    # Credit: the district's hours per badge for its member, the badge's own for others.
    credit = {c.user: c for c in CreditEntry.objects.filter(source="badge", user__in=awarded)}
    assert credit[member].hours == Decimal("2.5")
    assert credit[plain].hours == micro_credential.pd_hours
    assert credit[plain].source_key == f"badge:{new[plain].uuid}"
    # The pathway whose one step is this badge is complete, and credited.
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert CreditEntry.objects.filter(
        user=pathway_learner, source="pathway", page_id=pathway.pk
    ).exists()
    # The audit log: one entry per badge, by the registrar, for the right district.
    entries = AuditEntry.objects.filter(action="badge_awarded", actor=registrar)
    assert entries.count() == 6
    member_entry = entries.get(target_id=str(new[member].pk))
    assert (member_entry.district_id, member_entry.summary) == (
        district.pk,
        "Awarded from a CSV file (line 3)",
    )
    # Told in the site; e-mailed as each chose (the digest waits; "none" gets none).
    told = Notification.objects.filter(message="You earned “Data-Driven Instruction”.")
    assert set(told.values_list("user__email", flat=True)) == {p.email for p in awarded}
    assert told.get(user=digest).digest_pending
    mailed = sorted(m.to[0] for m in mailoutbox)
    assert mailed == sorted(p.email for p in (plain, member, lapsed, pathway_learner))
    message = next(m for m in mailoutbox if m.to == [plain.email])
    assert str(new[plain].uuid) in message.body
    assert message.extra_headers["List-Unsubscribe"]  # news, so it can be turned off
    # Every new badge is baked; the registrar is told the job is done.
    assert all(a.baked_image.name.endswith(f"{a.uuid}.png") for a in new.values())
    assert registrar.notifications.get().message.startswith("“Badges from staff.csv” is done")


def test_a_district_webhook_hears_of_its_member_s_badge_only(
    path, micro_credential, district, registrar, django_capture_on_commit_callbacks
):
    member, outsider = UserFactory(), UserFactory()
    membership = MembershipFactory(district=district, user=member)
    WebhookEndpoint.objects.create(
        district=district,
        url="https://hooks.springfield.example/leap",
        events=["badge.awarded"],
        secret_encrypted="x",
    )
    # Not run: the deliveries themselves go to the outside world.
    run(
        [member, outsider],
        micro_credential,
        registrar,
        django_capture_on_commit_callbacks,
        execute=False,
    )
    delivery = WebhookDelivery.objects.get()
    badge = Assertion.objects.get(recipient=member)
    assert delivery.payload["data"]["member"] == membership.pk
    assert delivery.payload["data"]["badge"]["id"] == str(badge.uuid)


def test_a_chunk_costs_the_same_queries_for_3_rows_and_for_30(
    micro_credential, registrar, monkeypatch, django_capture_on_commit_callbacks
):
    def chunk_queries(count: int, tag: str) -> int:
        people = [UserFactory(email=f"{tag}{n}@school.example") for n in range(count)]
        with django_capture_on_commit_callbacks(execute=False):
            job = bulk.bulk_award_start(
                data=csv_of(people, micro_credential), awarded_by=registrar
            ).job
        with CaptureQueriesContext(connection) as queries:
            batch.batch_run_chunk(job_id=job.pk)
        assert Assertion.objects.filter(recipient__in=people).count() == count
        return len(queries)

    chunk_queries(2, "warm")  # the badge class is made once and kept
    assert chunk_queries(3, "few") == chunk_queries(30, "many")


def test_a_chunk_that_clashes_is_done_row_by_row_and_nothing_doubles(
    micro_credential, registrar, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(4)]

    def clash(**kwargs):
        # Another award for one of them commits first, then the set-based insert clashes.
        assertion_award(
            recipient=people[1],
            badge_class=badge_class_for_micro_credential(page=micro_credential),
            notify=False,
        )
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(bulk, "assertions_award", clash)
    job = run(people, micro_credential, registrar, django_capture_on_commit_callbacks)
    assert job.outcomes == {"awarded": 4}  # the clash's award rolled back with the chunk
    assert Assertion.objects.filter(recipient__in=people, is_current=True).count() == 4
    assert "doing its rows one by one" in caplog.text
