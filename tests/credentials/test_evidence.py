"""Evidence and review from the people's side: a learner submits, a blind reviewer scores,
"not yet" comes back with feedback, the badge is awarded once; who may see what; and every
kind of bad input refused with a clear message and nothing lost."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accounts.errors import LeapError
from credentials.models import Assertion, Review, Submission
from credentials.requirements import requirements_of, rubric_for, rubric_of
from credentials.selectors.evidence import attempts_get
from credentials.services.evidence import (
    artifact_add_file,
    artifact_add_link,
    artifact_remove,
    artifacts_purge_orphans,
    attempt_allow,
    submission_save_answers,
    submission_start,
    submission_submit,
    submission_withdraw,
)
from credentials.services.review import (
    pool_member_add,
    pool_member_update,
    review_record,
    reviews_reassign_overdue,
)
from tests.evidence_files import pdf_file
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = pdf_file()


@pytest.fixture
def mc(micro_credential):
    """The conftest's micro-credential: an overview question (200 words), an artifact slot
    (PDF or link, up to 2) and one rubric criterion; here with a second criterion."""
    micro_credential.rubric.append(
        (
            "criterion",
            {
                "title": "Impact",
                "meets": "Shows what changed for students.",
                "feedback_guidance": "Ask for evidence of change.",
            },
        )
    )
    micro_credential.save_revision().publish()
    micro_credential.refresh_from_db()
    return micro_credential


@pytest.fixture
def pool(db):
    from credentials.models import ReviewerPool

    return ReviewerPool.objects.create(name="All micro-credentials")


@pytest.fixture
def reviewer(pool):
    user = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=pool, user=user)
    return user


def requirement_ids(mc):
    return {r.kind: r.id for r in requirements_of(mc)}


def criterion_ids(mc):
    return [cid for cid, _ in rubric_of(mc)]


def submitted(learner, mc, *, execute, words="We used exit tickets daily."):
    """A complete submission sent for review (assignment runs after commit)."""
    ids = requirement_ids(mc)
    submission = submission_start(learner=learner, page=mc)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: words})
    if not submission.artifacts.exists():  # a next attempt carries the last one's file
        artifact_add_file(
            submission=submission, slot_id=ids["artifact"], name="analysis.pdf", data=PDF
        )
    with execute(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    submission.refresh_from_db()
    return submission


def all_meet(mc):
    return dict.fromkeys(criterion_ids(mc), ("meets", ""))


# The flow.


def test_not_yet_then_earned_awards_one_badge(
    learner, mc, reviewer, django_capture_on_commit_callbacks
):
    first = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    assert first.state == "in_review"
    review = first.reviews.get()
    assert review.reviewer == reviewer
    assert review.due_at > timezone.now()
    [c1, c2] = criterion_ids(mc)
    with pytest.raises(LeapError, match="Give feedback on “Impact”"):
        review_record(review=review, scores={c1: ("meets", ""), c2: ("not_yet", " ")})
    assert not review.scores.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_record(
            review=review, scores={c1: ("meets", ""), c2: ("not_yet", "Show student work.")}
        )
    first.refresh_from_db()
    assert first.state == "not_yet"
    [decision] = [m for m in mail.outbox if m.to == [learner.email]]
    assert "Impact: Not yet" in decision.body and "Show student work." in decision.body

    # The second attempt goes to another reviewer (the first has seen it) or the same pool.
    other = UserFactory()
    pool_member_add(pool=reviewer.pool_memberships.get().pool, user=other)
    second = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    assert second.attempt == 2
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=second.reviews.get(), scores=all_meet(mc))
    second.refresh_from_db()
    assert second.state == "earned"
    assert second.assertion == Assertion.objects.get(recipient=learner)


def test_a_next_attempt_starts_from_the_last_one_and_both_see_the_feedback(
    client, learner, mc, reviewer, django_capture_on_commit_callbacks
):
    first = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    first.artifacts.create(slot_id=requirement_ids(mc)["artifact"], url="https://example.org/x")
    [c1, c2] = criterion_ids(mc)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(
            review=first.reviews.get(),
            scores={c1: ("meets", ""), c2: ("not_yet", "Show what changed for students.")},
        )

    second = submission_start(learner=learner, page=mc)
    assert (second.attempt, second.previous, second.state) == (2, first, "draft")
    ids = requirement_ids(mc)
    assert second.answers == {ids["overview_question"]: "We used exit tickets daily."}
    # The file comes forward as a copy of its own; the link as it was.
    [original, link] = first.artifacts.order_by("created_at", "pk")
    [copy, link_copy] = second.artifacts.order_by("created_at", "pk")
    assert link_copy.url == link.url and link_copy.pk != link.pk
    assert copy.file.name != original.file.name
    assert copy.file.open("rb").read() == original.file.open("rb").read() == PDF
    assert copy.original_name == "analysis.pdf"
    with django_capture_on_commit_callbacks(execute=True):
        artifact_remove(artifact=copy)  # the learner replaces it: the first attempt keeps its own
    assert original.file.storage.exists(original.file.name)

    client.force_login(learner)
    page = client.get(reverse("submissions:detail", args=[second.pk])).content.decode()
    assert "What the reviewer said about attempt 1" in page
    assert "Show what changed for students." in page
    assert "We used exit tickets daily." in page  # in the form, ready to edit

    second = submitted(learner, mc, execute=django_capture_on_commit_callbacks, words="Now 78%.")
    review = second.reviews.get()
    client.force_login(review.reviewer)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "Attempt 1: not yet" in page and "Show what changed for students." in page
    assert learner.display_name not in page and learner.email not in page


def test_link_evidence_is_a_safe_link_with_its_host(
    client, learner, mc, reviewer, django_capture_on_commit_callbacks
):
    ids = requirement_ids(mc)
    submission = submission_start(learner=learner, page=mc)
    artifact_add_link(
        submission=submission, slot_id=ids["artifact"], url="https://docs.example.org/plan?id=7"
    )
    safe = 'href="https://docs.example.org/plan?id=7" rel="noopener noreferrer nofollow"'
    client.force_login(learner)
    draft = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert safe in draft and "(docs.example.org; opens in a new tab)" in draft
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    review = submission.reviews.get()
    client.force_login(review.reviewer)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert safe in page and "Linked artifact 1" in page and "(docs.example.org;" in page


def test_the_draft_shows_the_public_rubric_and_states_read_without_colour(
    client, learner, mc, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    draft = submission_start(learner=learner, page=mc)
    page = client.get(reverse("submissions:detail", args=[draft.pk])).content.decode()
    assert "How reviewers will assess it" in page
    assert "Met when: Shows what changed for students." in page
    submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    listing = client.get(reverse("submissions:list")).content.decode()
    # A symbol and the word, not colour alone.
    assert 'class="state state--in_review"' in listing and "In review" in listing


def test_assignment_is_blind_and_fair(learner, mc, pool, django_capture_on_commit_callbacks):
    district = DistrictFactory(reviewers_exclude_same_district=True)
    MembershipFactory(user=learner, district=district)
    colleague = MembershipFactory(district=district).user
    busy, free = UserFactory(), UserFactory()
    for user in (colleague, busy, free, learner):
        pool_member_add(pool=pool, user=user)
    other_learner = UserFactory()
    # busy already has work
    submitted(other_learner, mc, execute=django_capture_on_commit_callbacks)
    assert Review.objects.get().reviewer in (busy, free, colleague, learner)
    Review.objects.update(reviewer=busy)
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    # never the learner, never a colleague from a district that excludes them, least loaded
    assert submission.reviews.get().reviewer == free


def test_a_review_is_due_in_business_days_of_the_learners_district(
    learner, mc, reviewer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    california = ZoneInfo("America/Los_Angeles")
    MembershipFactory(user=learner, district=DistrictFactory(time_zone="America/Los_Angeles"))
    # Friday 18:00 in California: Saturday 02:00 in UTC.
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=california).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday_evening)
    settings.LEAP_REVIEW_DAYS = 5
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    due = submission.reviews.get().due_at.astimezone(california)
    # The next Friday at 18:00 there (counted in UTC, it was a Sunday evening in California).
    assert (due.date().isoformat(), due.hour) == ("2026-12-04", 18)


# Who is calibrated, and that only they get a pool's work: tests/credentials/test_calibration.py.


def test_two_reviewers_who_disagree_go_to_a_lead(
    learner, mc, pool, django_capture_on_commit_callbacks
):
    mc.reviewers_required = 2
    mc.save_revision().publish()
    first, second, lead = UserFactory(), UserFactory(), UserFactory()
    for user in (first, second):
        pool_member_add(pool=pool, user=user)
    pool_member_add(pool=pool, user=lead, is_lead=True)
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    reviews = list(submission.reviews.filter(role="reviewer"))
    assert len(reviews) == 2
    [c1, c2] = criterion_ids(mc)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=reviews[0], scores=all_meet(mc))
        review_record(review=reviews[1], scores={c1: ("meets", ""), c2: ("not_yet", "Thin.")})
    submission.refresh_from_db()
    assert submission.state == "in_review"
    lead_review = submission.reviews.get(role="lead")
    assert lead_review.reviewer not in {r.reviewer for r in reviews}
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=lead_review, scores=all_meet(mc))
    submission.refresh_from_db()
    assert submission.state == "earned"


def test_overdue_work_is_reassigned_and_both_reviewers_told(
    learner, mc, reviewer, pool, django_capture_on_commit_callbacks, settings
):
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    replacement = UserFactory()
    pool_member_add(pool=pool, user=replacement)
    Review.objects.update(
        due_at=timezone.now() - timedelta(days=settings.LEAP_REVIEW_OVERDUE_MARGIN_DAYS + 1)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reviews_reassign_overdue() == 1
    states = dict(submission.reviews.values_list("reviewer_id", "state"))
    assert states == {reviewer.pk: "reassigned", replacement.pk: "assigned"}
    assert {m.to[0] for m in mail.outbox} == {reviewer.email, replacement.email}
    old = submission.reviews.get(reviewer=reviewer)
    with pytest.raises(LeapError, match="no longer yours"):
        review_record(review=old, scores=all_meet(mc))


def test_attempt_limit_then_an_allowance(learner, mc, reviewer, django_capture_on_commit_callbacks):
    mc.attempt_limit = 1
    mc.save_revision().publish()
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    [c1, c2] = criterion_ids(mc)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(
            review=submission.reviews.get(), scores={c1: ("not_yet", "More."), c2: ("meets", "")}
        )
    with pytest.raises(LeapError, match="used all 1 attempts"):
        submission_start(learner=learner, page=mc)
    attempt_allow(learner=learner, page=mc, note="We talked it through.", granted_by=None)
    assert submission_start(learner=learner, page=mc).attempt == 2


def test_withdraw_before_review_does_not_count(learner, mc, django_capture_on_commit_callbacks):
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    submission_withdraw(submission=submission)
    assert attempts_get(learner=learner, page=mc).used == 0


# Bad input.


def test_submit_says_exactly_what_is_missing(learner, mc):
    submission = submission_start(learner=learner, page=mc)
    with pytest.raises(LeapError) as caught:
        submission_submit(submission=submission, privacy_confirmed=False)
    assert caught.value.problems == [
        "Answer “Describe your class.”.",
        "Add a file or link for “Data analysis”.",
        "Confirm that your artifacts show no student's personal information, or that "
        "consent is on file.",
    ]
    submission.refresh_from_db()
    assert submission.state == "draft"


def test_an_answer_over_its_word_limit_is_refused_and_the_saved_one_kept(learner, mc):
    ids = requirement_ids(mc)
    submission = submission_start(learner=learner, page=mc)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Short."})
    with pytest.raises(LeapError, match="201 words; the limit is 200"):
        submission_save_answers(
            submission=submission, answers={ids["overview_question"]: "word " * 201}
        )
    submission.refresh_from_db()
    assert submission.answers[ids["overview_question"]] == "Short."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "analysis.pdf",
            b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
            "cannot be used here: it is a PNG image. Accepted: PDF.",
        ),
        ("analysis.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), "at most 1 MB"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32, "cannot be used here: it is a JPEG image"),
    ],
)
def test_bad_files_are_refused_and_the_draft_survives(learner, mc, settings, name, data, message):
    settings.LEAP_ARTIFACT_MAX_MB = 1
    ids = requirement_ids(mc)
    submission = submission_start(learner=learner, page=mc)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Kept."})
    with pytest.raises(LeapError, match=message):
        artifact_add_file(submission=submission, slot_id=ids["artifact"], name=name, data=data)
    submission.refresh_from_db()
    assert submission.answers[ids["overview_question"]] == "Kept."
    assert not submission.artifacts.exists()


def test_one_open_submission_per_learner_and_badge(learner, mc):
    first = submission_start(learner=learner, page=mc)
    assert submission_start(learner=learner, page=mc) == first


# Screens.


def photo() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0)}
    Image.new("RGB", (20, 20), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_draft_form_saves_answers_even_when_an_upload_fails(client, learner, mc):
    client.force_login(learner)
    response = client.post(reverse("submissions:start", args=[mc.pk]))
    submission = Submission.objects.get()
    assert response["Location"] == reverse("submissions:detail", args=[submission.pk])
    ids = requirement_ids(mc)
    response = client.post(
        reverse("submissions:detail", args=[submission.pk]),
        {
            f"answer-{ids['overview_question']}": "Grade 7 science.",
            f"file-{ids['artifact']}": SimpleUploadedFile("plan.pdf", b"not a pdf at all"),
            "action": "submit",
        },
    )
    assert response.status_code == 400
    assert "“plan.pdf” cannot be used here" in response.content.decode()
    submission.refresh_from_db()
    assert submission.answers[ids["overview_question"]] == "Grade 7 science."
    assert submission.state == "draft"


def test_autosave_answers_json(client, learner, mc):
    client.force_login(learner)
    submission = submission_start(learner=learner, page=mc)
    ids = requirement_ids(mc)
    url = reverse("submissions:detail", args=[submission.pk])
    ok = client.post(url, {"action": "autosave", f"answer-{ids['overview_question']}": "Hi"})
    assert ok.json() == {"saved": True, "problems": [], "revision": 1}
    too_long = client.post(
        url, {"action": "autosave", f"answer-{ids['overview_question']}": "w " * 300}
    )
    assert too_long.status_code == 400 and not too_long.json()["saved"]


def test_a_refused_submit_shows_and_keeps_what_was_just_typed(client, learner, mc):
    """The privacy box unticked: the page comes back with the text the learner just sent
    (saved, too), never the older saved copy; sending that page again submits the new text."""
    client.force_login(learner)
    submission = submission_start(learner=learner, page=mc)
    ids = requirement_ids(mc)
    artifact_add_file(submission=submission, slot_id=ids["artifact"], name="a.pdf", data=PDF)
    url = reverse("submissions:detail", args=[submission.pk])
    answer = f"answer-{ids['overview_question']}"
    client.post(url, {"action": "save", answer: "An early outline."})

    refused = client.post(url, {"action": "submit", answer: "The finished account of my class."})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Confirm that your artifacts show no student" in page
    assert "The finished account of my class." in page
    assert "An early outline." not in page
    submission.refresh_from_db()
    assert submission.answers[ids["overview_question"]] == "The finished account of my class."

    # The learner ticks the box on the page they were shown and sends it as it is.
    sent = client.post(
        url, {"action": "submit", answer: "The finished account of my class.", "privacy": "on"}
    )
    assert sent.status_code == 302
    submission.refresh_from_db()
    assert submission.state == "submitted"
    assert submission.answers[ids["overview_question"]] == "The finished account of my class."


def test_a_refused_submit_keeps_the_ticked_confirmation(client, learner, mc):
    client.force_login(learner)
    submission = submission_start(learner=learner, page=mc)
    ids = requirement_ids(mc)
    url = reverse("submissions:detail", args=[submission.pk])
    refused = client.post(
        url,
        {"action": "submit", f"answer-{ids['overview_question']}": "x", "privacy": "on"},
    )
    assert refused.status_code == 400  # the file is missing
    assert 'name="privacy" checked' in refused.content.decode()


def test_reviewer_screen_is_blind(
    client, learner, mc, reviewer, django_capture_on_commit_callbacks
):
    learner.display_name = "Maya Torres"
    learner.save()
    submission = submission_start(learner=learner, page=mc)
    ids = requirement_ids(mc)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Class."})
    artifact_add_file(
        submission=submission, slot_id=ids["artifact"], name="Maya Torres lesson.pdf", data=PDF
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    client.force_login(reviewer)
    review = Review.objects.get()
    html = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert submission.number in html
    for secret in ("Maya", "Torres", learner.email, "lesson.pdf"):
        assert secret not in html
    artifact = submission.artifacts.get()
    download = client.get(reverse("review:artifact", args=[review.pk, artifact.pk]))
    assert download.status_code == 200
    assert "Maya" not in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    # The reviewers' copy: the same pages, without the document information (the learner's
    # file names the program that made it).
    copy = b"".join(download.streaming_content)
    assert b"pypdf" in PDF and b"pypdf" not in copy
    assert len(PdfReader(io.BytesIO(copy)).pages) == 1


def test_photos_lose_their_location_on_upload(learner, micro_credential):
    micro_credential.requirements[1].value["file_types"] = ["image"]
    micro_credential.save_revision().publish()
    ids = requirement_ids(micro_credential)
    submission = submission_start(learner=learner, page=micro_credential)
    artifact = artifact_add_file(
        submission=submission, slot_id=ids["artifact"], name="IMG_1.JPG", data=photo()
    )
    with artifact.file.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()
    assert artifact.name == "IMG_1.jpg"
    assert "artifacts/" in artifact.file.name and "IMG" not in artifact.file.name


# Who may see what.


@pytest.fixture
def world(learner, mc, reviewer, pool, django_capture_on_commit_callbacks):
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    lead = UserFactory()
    pool_member_add(pool=pool, user=lead, is_lead=True)
    return {
        "submission": submission,
        "artifact": submission.artifacts.get(),
        "review": submission.reviews.get(),
        "learner": learner,
        "reviewer": reviewer,
        "lead": lead,
        "other_reviewer": UserFactory(),
        "stranger": UserFactory(),
    }


def urls(world):
    s, a, r = world["submission"], world["artifact"], world["review"]
    return {
        "submission": reverse("submissions:detail", args=[s.pk]),
        "learner_artifact": reverse("submissions:artifact", args=[s.pk, a.pk]),
        "review": reverse("review:detail", args=[r.pk]),
        "review_artifact": reverse("review:artifact", args=[r.pk, a.pk]),
    }


ALLOWED = {
    "learner": {"submission", "learner_artifact"},
    "reviewer": {"learner_artifact", "review", "review_artifact"},
    "lead": {"learner_artifact"},
    "other_reviewer": set(),
    "stranger": set(),
}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_permission_matrix(client, world, who):
    from credentials.models import PoolMember

    if who == "other_reviewer":
        pool_member_add(pool=PoolMember.objects.get(user=world["reviewer"]).pool, user=world[who])
    client.force_login(world[who])
    for name, url in urls(world).items():
        expected = 200 if name in ALLOWED[who] else 404
        assert client.get(url).status_code == expected, (who, name)


def test_a_reviewer_cannot_score_work_not_assigned_to_them(client, world, mc):
    client.force_login(world["other_reviewer"])
    data = {f"result-{cid}": "meets" for cid in criterion_ids(mc)}
    response = client.post(reverse("review:detail", args=[world["review"].pk]), data)
    assert response.status_code == 404
    assert not world["review"].scores.exists()


def test_anonymous_visitors_are_asked_to_log_in(client, world):
    for url in urls(world).values():
        assert client.get(url)["Location"].startswith(reverse("account_login"))


# Queue size.


def test_review_queue_queries_do_not_grow(client, mc, reviewer):
    client.force_login(reviewer)

    def queue_with(size):
        learners = [UserFactory() for _ in range(size - Review.objects.count())]
        for learner in learners:
            submission = Submission.objects.create(
                learner=learner,
                micro_credential=mc,
                state="in_review",
                submitted_at=timezone.now(),
            )
            Review.objects.create(
                submission=submission, reviewer=reviewer, due_at=timezone.now() + timedelta(days=1)
            )
        client.get(reverse("review:queue"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("review:queue"))
        # One page of the queue (credentials.selectors.review.QUEUE_PAGE_SIZE), and the total.
        assert len(response.context["open"]) == min(size, 25)
        assert response.context["open_page"].total == size
        return len(queries.captured_queries)

    assert queue_with(10) == queue_with(500)


# Nothing gets stuck; nothing changes under the reviewers' feet.


def test_a_second_reviewer_who_joins_later_is_assigned_by_the_hourly_job(
    learner, mc, pool, reviewer, django_capture_on_commit_callbacks
):
    mc.reviewers_required = 2
    mc.save_revision().publish()
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=submission.reviews.get(), scores=all_meet(mc))
    late = UserFactory()
    pool_member_add(pool=pool, user=late)
    with django_capture_on_commit_callbacks(execute=True):
        reviews_reassign_overdue()
    assert submission.reviews.get(state="assigned").reviewer == late


def test_a_split_with_no_lead_yet_gets_one_when_a_lead_joins(
    learner, mc, pool, django_capture_on_commit_callbacks
):
    mc.reviewers_required = 2
    mc.save_revision().publish()
    for _ in range(2):
        pool_member_add(pool=pool, user=UserFactory())
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    first, second = submission.reviews.all()
    [c1, c2] = criterion_ids(mc)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=first, scores=all_meet(mc))
        review_record(review=second, scores={c1: ("meets", ""), c2: ("not_yet", "x")})
    assert not submission.reviews.filter(role="lead").exists()
    lead = UserFactory()
    pool_member_add(pool=pool, user=lead, is_lead=True)
    with django_capture_on_commit_callbacks(execute=True):
        reviews_reassign_overdue()
    assert submission.reviews.get(role="lead").reviewer == lead


def test_reviewers_score_the_rubric_the_learner_answered(
    learner, mc, reviewer, django_capture_on_commit_callbacks
):
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    pinned = criterion_ids(mc)
    mc.rubric.append(("criterion", {"title": "New", "meets": "x", "feedback_guidance": "y"}))
    mc.save_revision().publish()
    submission.refresh_from_db()
    assert [cid for cid, _ in rubric_for(submission)] == pinned
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=submission.reviews.get(), scores=all_meet_ids(pinned))
    submission.refresh_from_db()
    assert submission.state == "earned"


def all_meet_ids(ids):
    return dict.fromkeys(ids, ("meets", ""))


def test_an_unpublished_page_still_gets_its_decision(
    learner, mc, reviewer, django_capture_on_commit_callbacks
):
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    scores = all_meet(mc)
    mc.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        review_record(review=submission.reviews.get(), scores=scores)
    submission.refresh_from_db()
    assert submission.assertion.badge_class == submission.badge_class


def test_leads_never_see_drafts(client, learner, mc, pool):
    lead = UserFactory()
    pool_member_add(pool=pool, user=lead, is_lead=True)
    ids = requirement_ids(mc)
    draft = submission_start(learner=learner, page=mc)
    artifact = artifact_add_file(submission=draft, slot_id=ids["artifact"], name="a.pdf", data=PDF)
    client.force_login(lead)
    url = reverse("submissions:artifact", args=[draft.pk, artifact.pk])
    assert client.get(url).status_code == 404


def test_a_made_up_artifact_to_remove_is_404(client, learner, mc):
    client.force_login(learner)
    draft = submission_start(learner=learner, page=mc)
    url = reverse("submissions:detail", args=[draft.pk])
    assert client.post(url, {"remove": "x"}).status_code == 404


def test_another_attempt_only_when_none_is_left(learner, mc):
    with pytest.raises(LeapError, match="still has an attempt left"):
        attempt_allow(learner=learner, page=mc, note="Talked.", granted_by=None)


def test_a_reviewer_taken_out_of_the_pool_hands_over_their_work(
    learner, mc, pool, reviewer, django_capture_on_commit_callbacks
):
    from credentials.models import PoolMember

    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    other = UserFactory()
    pool_member_add(pool=pool, user=other)
    member = PoolMember.objects.get(user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        pool_member_update(member=member, is_lead=False, is_active=False)
    states = dict(submission.reviews.values_list("reviewer_id", "state"))
    assert states == {reviewer.pk: "reassigned", other.pk: "assigned"}


def test_orphan_evidence_files_are_purged_after_a_day(learner, mc):
    import os
    import time

    from django.core.files.base import ContentFile

    from credentials.models import private_storage

    ids = requirement_ids(mc)
    submission = submission_start(learner=learner, page=mc)
    kept = artifact_add_file(submission=submission, slot_id=ids["artifact"], name="a.pdf", data=PDF)
    storage = private_storage()
    old = storage.save(f"artifacts/{submission.pk}/orphan", ContentFile(b"left behind"))
    fresh = storage.save(f"artifacts/{submission.pk}/fresh", ContentFile(b"committing"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    os.utime(storage.path(kept.file.name), (two_days_ago, two_days_ago))
    assert artifacts_purge_orphans() == 1
    assert not storage.exists(old)
    assert storage.exists(fresh) and storage.exists(kept.file.name)


def test_reviewers_preview_photos_in_a_sandbox_and_download_the_rest(
    client, learner, micro_credential, reviewer, django_capture_on_commit_callbacks
):
    micro_credential.requirements[1].value["file_types"] = ["image", "pdf"]
    micro_credential.save_revision().publish()
    ids = requirement_ids(micro_credential)
    submission = submission_start(learner=learner, page=micro_credential)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "Hi."})
    image = artifact_add_file(
        submission=submission, slot_id=ids["artifact"], name="Ana class.jpg", data=photo()
    )
    pdf = artifact_add_file(submission=submission, slot_id=ids["artifact"], name="a.pdf", data=PDF)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    review = submission.reviews.get()
    client.force_login(review.reviewer)
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    preview_url = reverse("review:artifact", args=[review.pk, image.pk]) + "?preview=1"
    assert f'src="{preview_url}"' in page and "Ana class" not in page

    shown = client.get(preview_url)
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline;")
    assert f"{submission.number}-artifact-{image.pk}.jpg" in shown["Content-Disposition"]
    assert shown["Content-Security-Policy"].startswith("sandbox;")
    assert shown["X-Content-Type-Options"] == "nosniff"
    # Anything else stays a download, whatever is asked.
    pdf_url = reverse("review:artifact", args=[review.pk, pdf.pk]) + "?preview=1"
    assert client.get(pdf_url)["Content-Disposition"].startswith("attachment;")
    # Someone else's reviewer, or the learner's neighbour, finds nothing there.
    client.force_login(UserFactory())
    assert client.get(preview_url).status_code == 404
