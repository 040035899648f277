"""Every sensitive action on the credentials side leaves exactly one audit entry, with the
right actor, target, district and address: driven through the screens people use (or the
task that does the work)."""

import io

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from credentials.models import Assertion, PoolMember, Review
from credentials.requirements import rubric_of
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from learning.cohorts.completion import completion_check
from tests.credentials.test_lead_tools import submit, world_build
from tests.factories import UserFactory
from tests.learning.cohorts.factories import attend, cohort_make, member_make
from tests.learning.cohorts.test_completion import AFTER, MEETINGS

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ADDRESS = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Audit test browser"}


@pytest.fixture
def world(db):
    """The lead tools' people and pools. Building them (pools filled through the services)
    is audited too, and entries cannot be cleared: tests read only the entries made after."""
    built = world_build()
    built["audited_before"] = AuditEntry.objects.values_list("pk", flat=True).first() or 0
    return built


def made(world, action: str):
    """The entries of this action made since the world was built, oldest first."""
    return AuditEntry.objects.filter(action=action, pk__gt=world["audited_before"]).order_by("pk")


@pytest.fixture
def staff(db):
    return UserFactory(is_superuser=True, email="registrar@leap.example", display_name="Reg Istrar")


def only(world, action: str) -> AuditEntry:
    """The one entry of this action (the test fails on none or several)."""
    entries = list(made(world, action))
    assert len(entries) == 1, [(e.summary, e.target_label) for e in entries]
    return entries[0]


def from_browser(entry: AuditEntry) -> None:
    assert (entry.ip, entry.user_agent, entry.origin) == (
        "203.0.113.9",
        "Audit test browser",
        "web",
    )
    assert entry.request_id


def test_a_review_decision_and_the_badge_it_earns(
    client, world, django_capture_on_commit_callbacks
):
    maya, page = world["maya"], world["data"]
    work = submit(page, maya, django_capture_on_commit_callbacks)
    review = Review.objects.get(submission=work, state=Review.State.ASSIGNED)
    reviewer = review.reviewer
    client.force_login(reviewer)
    scores = {}
    for cid, _ in rubric_of(page):
        scores[f"result-{cid}"] = "meets"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review:detail", args=[review.pk]), scores, **ADDRESS)
    assert response.status_code == 302

    decision = only(world, Action.REVIEW_DECIDED)
    assert decision.actor == reviewer
    assert decision.target_label == f"Submission {work.number}"
    assert decision.summary == "Reviewer decided: Earned"
    assert decision.district_id is None  # platform staff only: review stays blind
    from_browser(decision)

    award = only(world, Action.BADGE_AWARDED)
    assertion = Assertion.objects.get(recipient=maya)
    assert award.actor is None and award.actor_label == "Leap"  # the decision awarded it
    assert award.target_id == str(assertion.pk) and award.target_type.model == "assertion"
    assert award.target_label == "“Using Classroom Data” for Maya Torres (maya@riverside.example)"
    assert award.summary == f"Earned: submission {work.number} met every criterion"
    assert (award.district_id, award.district_name) == (
        maya.memberships.get().district_id,
        "Riverside",
    )
    from_browser(award)


def test_a_bulk_award_records_each_badge_it_issues_and_nothing_for_a_refused_file(
    client, world, staff, django_capture_on_commit_callbacks
):
    """The awards are made by the background job the upload starts: by the staff member who
    uploaded, recorded from the job's task."""
    client.force_login(staff)
    slug = world["data"].slug
    url = reverse("credentials_assertion:award_from_csv")

    def upload(text):
        file = io.BytesIO(text.encode())
        file.name = "awards.csv"
        with django_capture_on_commit_callbacks(execute=True):  # the background run
            return client.post(url, {"file": file}, **ADDRESS)

    upload(f"email,badge\nmaya@riverside.example,{slug}\nnobody@x.example,{slug}\n")
    assert not made(world, Action.BADGE_AWARDED).exists()
    response = upload(f"email,badge\nmaya@riverside.example,{slug}\nkim@school.example,{slug}\n")
    assert response.status_code == 302
    entries = made(world, Action.BADGE_AWARDED)
    assert [e.target_label for e in entries] == [
        "“Using Classroom Data” for Maya Torres (maya@riverside.example)",
        "“Using Classroom Data” for Kim Lee (kim@school.example)",
    ]
    assert [e.summary for e in entries] == [
        "Awarded from a CSV file (line 2)",
        "Awarded from a CSV file (line 3)",
    ]
    assert [e.district_name for e in entries] == ["Riverside", ""]
    for entry in entries:
        assert entry.actor == staff and entry.ip is None
        assert entry.origin.startswith("task ")
    # The same file again awards nothing, and records nothing.
    upload(f"email,badge\nmaya@riverside.example,{slug}\nkim@school.example,{slug}\n")
    assert made(world, Action.BADGE_AWARDED).count() == 2


def test_revoking_records_who_and_why(client, world, staff):
    badge_class = badge_class_for_micro_credential(page=world["data"], recipient=world["maya"])
    assertion = assertion_award(recipient=world["maya"], badge_class=badge_class, notify=False)
    client.force_login(staff)
    url = reverse("credentials_assertion:revoke", args=[assertion.uuid])
    client.post(url, {"reason": " "}, **ADDRESS)  # refused: no reason, nothing recorded
    assert not made(world, Action.BADGE_REVOKED).exists()
    client.post(url, {"reason": "Evidence was copied."}, **ADDRESS)
    client.post(url, {"reason": "Twice."}, **ADDRESS)  # already revoked: no second entry
    revoked = only(world, Action.BADGE_REVOKED)
    assert revoked.actor == staff
    assert revoked.summary == "Revoked: Evidence was copied."
    assert revoked.target_id == str(assertion.pk) and revoked.district_name == "Riverside"
    from_browser(revoked)


def test_a_book_club_badge_is_recorded_as_the_tasks(world, django_capture_on_commit_callbacks):
    """Awarded by the Celery task after completion: Leap acted, from the task."""
    cohort = cohort_make(sessions=MEETINGS, min_attendance_percent=75)
    cohort.completion_badge = world["design"]
    cohort.min_sessions_posted = 0
    cohort.save()
    member = member_make(cohort, world["maya"])
    for session in cohort.sessions.all():
        attend(session, member.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert completion_check(member=member, now=AFTER) is True
    award = only(world, Action.BADGE_AWARDED)
    assert award.actor is None
    assert award.origin == "task credentials.tasks.cohort_badge_award"
    assert award.summary == f"Completed the book club “{cohort.title}”"
    assert award.ip is None and award.target_label.startswith("“Designing Learning” for Maya")


def test_lead_tools_record_adding_pausing_resuming_and_removing(client, world):
    pool, lead = world["pool_a"], world["lead_a"]
    newcomer = UserFactory(email="noor@school.example", display_name="Noor Haddad")
    client.force_login(lead)
    client.post(reverse("review_lead:pool", args=[pool.pk]), {"email": newcomer.email}, **ADDRESS)
    member = PoolMember.objects.get(pool=pool, user=newcomer)
    active_url = reverse("review_lead:member_active", args=[pool.pk, member.pk])
    client.post(active_url, {"action": "pause"}, **ADDRESS)
    client.post(active_url, {"action": "pause"}, **ADDRESS)  # no change, no entry
    client.post(active_url, {"action": "resume"}, **ADDRESS)
    client.post(reverse("review_lead:member_remove", args=[pool.pk, member.pk]), **ADDRESS)

    entries = list(made(world, Action.POOL_CHANGED))
    assert [e.summary for e in entries] == ["Added", "Paused", "Resumed", "Removed"]
    for entry in entries:
        assert entry.actor == lead
        assert entry.target_label == "Noor Haddad (noor@school.example) in Data reviewers"
        assert entry.target_id == str(pool.pk) and entry.district_id is None
        from_browser(entry)


def test_staff_pool_changes_in_the_cms_are_recorded(client, world, staff):
    pool = world["pool_b"]
    client.force_login(staff)
    client.post(
        "/admin/reviewer_pool_members/new/",
        {"pool": pool.pk, "email": "kim@school.example", "is_lead": "on"},
        **ADDRESS,
    )
    member = PoolMember.objects.get(pool=pool, user=world["kim"])
    client.post(f"/admin/reviewer_pool_members/edit/{member.pk}/", {"is_active": "on"}, **ADDRESS)
    client.post(f"/admin/reviewer_pool_members/edit/{member.pk}/", {"is_active": "on"}, **ADDRESS)
    entries = list(made(world, Action.POOL_CHANGED))
    assert [e.summary for e in entries] == ["Added as a lead", "No longer a lead"]
    assert {e.actor for e in entries} == {staff}


def test_exporting_issued_badges_is_recorded(client, world, staff):
    client.force_login(staff)
    response = client.get("/admin/issued_badges/?export=csv&revoked=false", **ADDRESS)
    b"".join(response.streaming_content)
    export = only(world, Action.DATA_EXPORTED)
    assert export.actor == staff and export.target_label == "Issued badges (CSV)"
    assert export.summary == "Downloaded Issued badges (CSV)"
    assert export.details == {"format": "csv", "filters": {"revoked": ["false"]}}
    from_browser(export)
    client.get("/admin/issued_badges/", **ADDRESS)  # looking at the list is not an export
    assert made(world, Action.DATA_EXPORTED).count() == 1
