"""Data rights: a learner downloads everything Leap holds about them (every model that refers to
a person is in the download or explained), and deletes their account: personal data and
evidence go, issued badges keep verifying and name no one (or are revoked when asked), and
the audit log records it."""

import datetime as dt
import html
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts import data_rights
from accounts.models import AuditEntry, Notification
from cms.models import Framework
from credentials.models import Artifact, Assertion, PoolMember, Review, Submission
from credentials.requirements import rubric_of
from credentials.services.review import pool_member_update, review_record
from learning import services as learning_services
from learning.cohorts.discussion import post_create, post_reply
from learning.models import CreditEntry, Membership, Post
from learning.steps import pathway_steps
from tests.credentials.test_lead_tools import PDF, submit, world_build
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory, onboarded
from tests.learning.cohorts.factories import attend, cohort_make, member_make

User = get_user_model()
JSON = {"HTTP_ACCEPT": "application/ld+json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# Every table of personal data is accounted for.


def _refers_to(model, target) -> bool:
    return any(
        field.is_relation
        and not field.auto_created
        and field.related_model is target
        and (field.many_to_one or field.one_to_one or field.many_to_many)
        for field in model._meta.get_fields()
    )


def test_every_model_that_refers_to_a_person_is_exported_or_explained():
    """Models with a link to the user model, and the models one link further from each
    exported one (Submission → Artifact), are each in a section of the download or in an
    app's NOT_EXPORTED with a reason; and the lists name no model that does not exist."""
    coverage = data_rights.coverage()
    models = {model._meta.label: model for model in apps.get_models()}
    direct = {label for label, model in models.items() if _refers_to(model, User)}
    exported = {label for label, why in coverage.items() if why.startswith("exported in")}
    one_hop = {
        label
        for label, model in models.items()
        for parent in direct & exported
        if _refers_to(model, models[parent])
    }
    missing = sorted((direct | one_hop) - set(coverage))
    assert missing == [], f"Say in a personal_data module what becomes of: {missing}"
    assert sorted(set(coverage) - set(models)) == []
    for label in ("credentials.Artifact", "credentials.CriterionScore", "learning.Rating"):
        assert label in one_hop and label in exported  # the one-hop walk really runs
    assert all(why.strip() for why in coverage.values())


# A learner with something of everything.


def learner_with_everything(capture) -> dict:
    world = world_build()
    maya = onboarded(world["maya"])
    framework = Framework.objects.get(code="ISTE-E")
    assessment = learning_services.assessment_start(user=maya, framework=framework)
    element = learning_services.assessable_elements(framework).first()
    learning_services.assessment_save(
        assessment=assessment, ratings={element.pk: (2, "We pilot exit tickets in grade 7.")}
    )
    learning_services.plan_add(user=maya, page=world["design"], source="chosen")
    pathway = world["catalogue"].pathway
    enrolment = learning_services.enrolment_enrol(user=maya, pathway=pathway)
    reflect = next(s.id for s in pathway_steps(pathway) if s.kind == "reflect")
    learning_services.step_update(
        enrolment=enrolment, step_id=reflect, done=True, reflection="I measure reading fluency."
    )
    work = submit(world["data"], maya, capture, file_name="maya-torres-analysis.pdf")
    review = Review.objects.get(submission=work, state=Review.State.ASSIGNED)
    with capture(execute=True):
        review_record(
            review=review,
            scores={
                cid: ("meets", "Clear use of exit-ticket data.")
                for cid, _ in rubric_of(work.micro_credential)
            },
        )
    cohort = cohort_make(
        district=maya.memberships.get().district,
        sessions=[(dt.datetime(2027, 2, 3, 19, 0), 60)],
    )
    member_make(cohort, maya)
    session = cohort.sessions.get()
    thread = post_create(session=session, author=maya, body="Exit tickets changed my Mondays.")
    friend = member_make(cohort, UserFactory(display_name="Fran Friend")).user
    post_reply(parent=thread, author=friend, body="Same here: we tried it in grade 5.")
    attend(session, maya)
    assertion = Assertion.objects.get(recipient=maya)
    Assertion.objects.filter(pk=assertion.pk).update(is_public=True)
    return {
        **world,
        "maya": maya,
        "work": Submission.objects.get(pk=work.pk),
        "reviewer": review.reviewer,
        "assertion": assertion,
        "cohort": cohort,
        "session": session,
        "thread": thread,
    }


@pytest.fixture
def everything(db, django_capture_on_commit_callbacks):
    return learner_with_everything(django_capture_on_commit_callbacks)


# The download.


def download(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.post(reverse("account_your_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="leap-data-')
    body = b"".join(response.streaming_content)
    assert len(body) < 512 * 1024, "a typical learner's data is small enough to zip at once"
    return zipfile.ZipFile(io.BytesIO(body))


def read_json(archive, name):
    return json.loads(archive.read(f"{name}.json"))


def test_the_download_holds_everything_about_the_learner(client, everything):
    maya, work = everything["maya"], everything["work"]
    archive = download(client, maya)
    names = set(archive.namelist())
    for section in data_rights.sections():
        assert f"{section.name}.json" in names
    readme = archive.read("README.txt").decode()
    assert "submissions.json: your submissions" in readme

    [account] = read_json(archive, "account")
    assert account["email"] == "maya@riverside.example" and account["name"] == "Maya Torres"
    assert account["email_addresses"] == [
        {"email": "maya@riverside.example", "verified": True, "primary": True}
    ]
    [profile] = read_json(archive, "profile")
    assert profile["role"] == "Teacher" and profile["districts"][0]["district"] == "Riverside"
    [assessment] = read_json(archive, "self-assessments")
    assert assessment["ratings"][0]["note"] == "We pilot exit tickets in grade 7."
    assert read_json(archive, "plan")[0]["title"] == "Designing Learning"
    [enrolment] = read_json(archive, "enrolments")
    assert enrolment["steps"][0]["reflection"] == "I measure reading fluency."
    assert {row["title"] for row in read_json(archive, "credit")} == {"Using Classroom Data"}
    [notes] = read_json(archive, "notifications")
    assert any("Using Classroom Data" in n["message"] for n in notes["notifications"])
    [clubs] = read_json(archive, "book-clubs")
    assert clubs["posts"][0]["text"] == "Exit tickets changed my Mondays."
    assert clubs["attendance"][0]["status"] == "present"

    [submission] = read_json(archive, "submissions")
    assert submission["submission"] == work.number and submission["state"] == "Earned"
    [file_entry] = [e for e in submission["evidence"] if "file" in e]
    assert file_entry["file"].endswith("maya-torres-analysis.pdf")
    assert archive.read(file_entry["file"]) == PDF  # the file as uploaded, not the blind copy

    [review] = read_json(archive, "feedback")
    assert review["review"] == "Reviewer 1" and review["decision"] == "Earned"
    assert review["criteria"][0]["feedback"] == "Clear use of exit-ticket data."
    [badge] = read_json(archive, "badges")
    assert badge["badge"] == "Using Classroom Data" and badge["status"] == "Valid"
    assert badge["open_badges_2"]["recipient"]["identity"].startswith("sha256$")
    assert archive.read(badge["baked_image"])[:8] == b"\x89PNG\r\n\x1a\n"

    # Blind both ways: nothing in the download names the reviewer.
    reviewer = everything["reviewer"]
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8", "replace")
        assert reviewer.email not in text and reviewer.display_name not in text, name

    export = AuditEntry.objects.get(action=AuditEntry.Action.DATA_EXPORTED, actor=maya)
    assert export.target_label == "Their own data (zip)" and export.target_id == str(maya.pk)


def test_files_over_the_limit_are_listed_not_included(client, everything, settings):
    settings.LEAP_PERSONAL_DATA_FILES_MAX_MB = 0
    archive = download(client, everything["maya"])
    assert not any(name.startswith("files/") for name in archive.namelist())
    readme = archive.read("README.txt").decode()
    assert "too large to include" in readme and "maya-torres-analysis.pdf" in readme


def test_the_page_explains_and_only_the_signed_in_person_downloads(client, everything):
    page = reverse("account_your_data")
    assert client.get(page).status_code == 302  # sign in first
    assert client.post(reverse("account_your_data_download")).status_code == 302
    client.force_login(everything["maya"])
    shown = client.get(page).content.decode()
    assert "Download everything Leap holds about you" in shown and "feedback.json" in shown
    assert 'aria-current="page">Your data</a>' in shown
    assert client.get(reverse("account_your_data_download")).status_code == 405


# Deleting one's own account.


def delete_own(client, user, **fields):
    client.force_login(user)
    data = {"password": DEFAULT_PASSWORD, **fields}
    return client.post(reverse("account_delete"), data)


def test_a_wrong_password_or_the_last_admin_deletes_nothing(client, everything):
    maya = everything["maya"]
    response = delete_own(client, maya, password="not-it")
    assert response.status_code == 400
    assert "That is not your password. Nothing was deleted." in text_of(response)
    admin = Membership.objects.get(role="district_admin", district__slug="riverside").user
    response = delete_own(client, admin)
    assert response.status_code == 400
    assert "is the only district admin of Riverside" in text_of(response)
    assert User.objects.filter(pk__in=[maya.pk, admin.pk]).count() == 2
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_DELETED).exists()


def test_deleting_removes_personal_data_and_keeps_the_badge_nameless(
    client, everything, django_capture_on_commit_callbacks
):
    maya, work, assertion = everything["maya"], everything["work"], everything["assertion"]
    artifact = Artifact.objects.get(submission=work, url="")
    stored = [(f.storage, f.name) for f in (artifact.file, artifact.blind_file)]
    assert artifact.blind_file and all(storage.exists(name) for storage, name in stored)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # files go once it commits
        response = delete_own(client, maya)
    assert response.status_code == 302 and response["Location"] == reverse("account_deleted")
    assert "Your account is deleted" in client.get(response["Location"]).content.decode()
    assert client.get("/dashboard/").status_code == 302  # signed out

    assert not User.objects.filter(pk=maya.pk).exists()
    assert not any(storage.exists(name) for storage, name in stored)  # and reviewers' copy
    assert not Submission.objects.filter(pk=work.pk).exists()
    assert not Notification.objects.filter(user_id=maya.pk).exists()
    assert not CreditEntry.objects.filter(user_id=maya.pk).exists()
    kept = Assertion.objects.get(pk=assertion.pk)
    assert kept.recipient is None and kept.recipient_email == "" and not kept.is_public
    assert kept.identity_hash == assertion.identity_hash and kept.salt == assertion.salt

    public = client.get(f"/public/assertions/{assertion.uuid}", **JSON)
    assert public.status_code == 200
    text = public.content.decode()
    assert json.loads(text)["recipient"]["identity"] == assertion.identity_hash
    assert "Maya" not in text and "maya@" not in text
    shown = text_of(client.get(f"/public/assertions/{assertion.uuid}", **BROWSER))
    assert "Using Classroom Data" in shown and "Maya" not in shown and "maya@" not in shown
    assert "Private recipient" in shown

    post = Post.objects.get(pk=everything["thread"].pk)
    assert post.author is None and post.body == ""
    assert Post.objects.filter(parent=post, body__startswith="Same here").exists()
    friend = Post.objects.get(parent=post).author
    client.force_login(friend)
    discussion = client.get(
        reverse(
            "cohort_participation:discussion",
            args=[everything["cohort"].pk, everything["session"].pk],
        )
    ).content.decode()
    assert "This post was removed when its author left Leap." in discussion
    assert "Exit tickets changed my Mondays." not in discussion
    assert "Same here: we tried it in grade 5." in discussion

    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_DELETED)
    assert entry.actor is None and entry.summary == "Deleted by the account holder"
    assert entry.target_label == f"Account {maya.pk} (m•••@riverside.example)"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.BADGE_REVOKED).exists()
    assert [m.to for m in mail.outbox] == [["maya@riverside.example"]]
    assert "Your Leap account has been deleted" in mail.outbox[0].subject


def test_revoking_too_when_the_learner_asks(client, everything):
    assertion = everything["assertion"]
    delete_own(client, everything["maya"], revoke_badges="on")
    revoked = Assertion.objects.get(pk=assertion.pk)
    assert revoked.revoked and revoked.recipient is None
    public = client.get(f"/public/assertions/{assertion.uuid}", **JSON)
    assert public.status_code == 410
    assert json.loads(public.content)["revoked"] is True
    shown = text_of(client.get(f"/public/assertions/{assertion.uuid}", **BROWSER))
    assert "Revoked at the holder's request when they deleted their Leap account." in shown
    assert "Maya" not in shown
    revocation = AuditEntry.objects.get(action=AuditEntry.Action.BADGE_REVOKED)
    assert revocation.target_label == "“Using Classroom Data” for a former member"


def test_a_reviewers_completed_reviews_stay_and_open_ones_move_on(
    client, everything, django_capture_on_commit_callbacks
):
    reviewer, page, pool = everything["reviewer"], everything["data"], everything["pool_a"]
    done = Review.objects.get(reviewer=reviewer, state=Review.State.COMPLETED)
    others = list(PoolMember.objects.filter(pool=pool).exclude(user=reviewer))
    for member in others:  # for a moment, the reviewer is the only one who can take work
        pool_member_update(member=member, is_lead=member.is_lead, is_active=False)
    waiting = submit(page, UserFactory(), django_capture_on_commit_callbacks)
    open_review = Review.objects.get(submission=waiting, state=Review.State.ASSIGNED)
    assert open_review.reviewer == reviewer
    for member in others:
        pool_member_update(member=member, is_lead=member.is_lead, is_active=True)

    with django_capture_on_commit_callbacks(execute=True):
        delete_own(client, reviewer)
    assert not User.objects.filter(pk=reviewer.pk).exists()
    open_review.refresh_from_db()
    assert open_review.state == Review.State.REASSIGNED and open_review.reviewer is None
    replacement = Review.objects.get(submission=waiting, state=Review.State.ASSIGNED)
    assert replacement.reviewer in {m.user for m in others}
    done.refresh_from_db()
    assert done.reviewer is None and done.decision == "earned"
    assert done.scores.get().feedback == "Clear use of exit-ticket data."


# A district deletes a member's account at their request.


def delete_member(client, admin, membership, **fields):
    client.force_login(admin)
    url = reverse("learning:district_member_delete", args=[membership.district.slug, membership.pk])
    data = {"reason": "Asked by e-mail on 3 May.", "email": membership.user.email, **fields}
    return client.post(url, data)


def test_a_district_admin_deletes_a_members_account_with_a_reason(client, everything):
    maya = everything["maya"]
    membership = maya.memberships.get()
    admin = everything["admin"]
    page = client.get(reverse("learning:district_member_delete", args=["riverside", membership.pk]))
    assert page.status_code == 302  # signed out
    assert delete_member(client, admin, membership, reason="  ").status_code == 400
    response = delete_member(client, admin, membership, email="someone@else.example")
    assert "That is not this member's address." in text_of(response)
    assert User.objects.filter(pk=maya.pk).exists()

    response = delete_member(client, admin, membership)
    assert response.status_code == 302
    assert not User.objects.filter(pk=maya.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_DELETED)
    assert entry.actor == admin and entry.district_name == "Riverside"
    assert (
        entry.summary == "Deleted by Riverside at the member's request: Asked by e-mail on 3 May."
    )
    assert Assertion.objects.get(pk=everything["assertion"].pk).recipient is None


def test_who_a_district_admin_may_not_delete(client, everything):
    admin, other_admin = everything["admin"], everything["other_admin"]
    riverside = admin.memberships.get().district
    maya = everything["maya"].memberships.get()
    # Another district's admin, a facilitator and a learner do not find the page.
    facilitator = MembershipFactory(district=riverside, role="facilitator").user
    for user in (other_admin, facilitator, everything["kim"]):
        client.force_login(user)
        url = reverse("learning:district_member_delete", args=["riverside", maya.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "email": maya.user.email}).status_code == 404
    # Their own district's page for another district's member is a 404 too.
    lakeview_member = MembershipFactory(district=other_admin.memberships.get().district)
    client.force_login(admin)
    url = reverse("learning:district_member_delete", args=["riverside", lakeview_member.pk])
    assert client.get(url).status_code == 404

    staff = MembershipFactory(district=riverside, user=UserFactory(is_staff=True))
    response = delete_member(client, admin, staff)
    assert "only Leap's staff can delete it" in text_of(response)
    twice = MembershipFactory(district=riverside)
    MembershipFactory(district=other_admin.memberships.get().district, user=twice.user)
    response = delete_member(client, admin, twice)
    assert "is also a member of Lakeview" in text_of(response)
    response = delete_member(client, admin, admin.memberships.get())
    assert "use “Your data”" in text_of(response)
    assert User.objects.filter(pk__in=[staff.user_id, twice.user_id, admin.pk]).count() == 3
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_DELETED).exists()
