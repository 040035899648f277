"""Lead reviewer tools: exemplars with reference scores, calibration of reviewers joining a
pool, reports, and allowing another attempt; who may use them (404 for anyone else)."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from cms.models import MicroCredentialPage
from credentials.agreement import Agreement
from credentials.double_review import tallies_rebuild
from credentials.models import (
    AttemptAllowance,
    CalibrationScore,
    CriterionScore,
    DoubleReviewTally,
    Exemplar,
    PoolMember,
    Review,
    ReviewerPool,
    Submission,
)
from credentials.requirements import requirements_of, rubric_of
from credentials.selectors.evidence import attempts_get
from credentials.selectors.reports import ReviewerRow, at_limit_list, percentile, report_get
from credentials.services.calibration import calibration_record, exemplar_mark
from credentials.services.evidence import (
    artifact_add_file,
    artifact_add_link,
    submission_save_answers,
    submission_start,
    submission_submit,
)
from credentials.services.review import (
    double_review_tallies_mend,
    pool_member_add,
    review_record,
)
from tests.evidence_files import pdf_file
from tests.factories import DistrictFactory, MembershipFactory, UserFactory, learning_catalogue

pytestmark = pytest.mark.django_db

PDF = pdf_file()


# Building work through the services.


def ids_of(page):
    return {r.kind: r.id for r in requirements_of(page)}


def criteria_of(page):
    return [cid for cid, _ in rubric_of(page)]


def submit(page, learner, capture, *, file_name=None):
    """A complete submission sent for review; the reviewers are assigned after commit."""
    ids = ids_of(page)
    submission = submission_start(learner=learner, page=page)
    submission_save_answers(
        submission=submission, answers={ids["overview_question"]: "Grade 7, thirty pupils."}
    )
    if file_name:
        artifact_add_file(submission=submission, slot_id=ids["artifact"], name=file_name, data=PDF)
    else:
        artifact_add_link(
            submission=submission, slot_id=ids["artifact"], url="https://example.org/analysis"
        )
    with capture(execute=True):
        submission_submit(submission=submission, privacy_confirmed=True)
    submission.refresh_from_db()
    return submission


def score(review, result):
    page = review.submission.micro_credential
    feedback = "" if result == "meets" else "Name the pattern in the data."
    review_record(review=review, scores=dict.fromkeys(criteria_of(page), (result, feedback)))


def decided(page, capture, result="meets", learner=None, **kwargs):
    """A submission decided `result` by the reviewers it was given."""
    submission = submit(page, learner or UserFactory(), capture, **kwargs)
    reviews = list(Review.objects.filter(submission=submission, state=Review.State.ASSIGNED))
    assert reviews, "the submission needs a reviewer"
    for review in reviews:
        score(review, result)
    submission.refresh_from_db()
    return submission


# The people and pools.


@pytest.fixture
def world(db):
    return world_build()


def world_build():
    """Pool A reviews "Using Classroom Data" (lead Lena, reviewer Rui); pool B reviews
    "Designing Learning" (lead Bo). Maya learns at Riverside, whose admin is Ada; Lakeview's
    admin is Lou. Kim has no part in review."""
    from cms.demo import site_tree_ensure

    catalogue = learning_catalogue(site_tree_ensure())
    pool_a = ReviewerPool.objects.create(name="Data reviewers", micro_credential=catalogue.data)
    pool_b = ReviewerPool.objects.create(name="Design reviewers", micro_credential=catalogue.design)
    lead_a = UserFactory(email="lena@reviewers.example", display_name="Lena Park")
    lead_b = UserFactory(email="bo@reviewers.example", display_name="Bo Lind")
    reviewer = UserFactory(email="rui@reviewers.example", display_name="Rui Costa")
    pool_member_add(pool=pool_a, user=lead_a, is_lead=True)
    pool_member_add(pool=pool_b, user=lead_b, is_lead=True)
    pool_member_add(pool=pool_a, user=reviewer)
    riverside = DistrictFactory(name="Riverside", slug="riverside")
    lakeview = DistrictFactory(name="Lakeview", slug="lakeview")
    maya = UserFactory(email="maya@riverside.example", display_name="Maya Torres")
    MembershipFactory(user=maya, district=riverside)
    admin = MembershipFactory(district=riverside, role="district_admin").user
    other_admin = MembershipFactory(district=lakeview, role="district_admin").user
    return {
        "catalogue": catalogue,
        "data": catalogue.data,
        "design": catalogue.design,
        "pool_a": pool_a,
        "pool_b": pool_b,
        "lead_a": lead_a,
        "lead_b": lead_b,
        "reviewer": reviewer,
        "maya": maya,
        "admin": admin,
        "other_admin": other_admin,
        "kim": UserFactory(email="kim@school.example", display_name="Kim Lee"),
    }


def status_of(client, user, method, url, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    return response.status_code


# Who may do what.


def test_permission_matrix(client, world, django_capture_on_commit_callbacks):
    pool_a, pool_b = world["pool_a"], world["pool_b"]
    work = decided(
        world["data"], django_capture_on_commit_callbacks, learner=world["maya"], file_name="a.pdf"
    )
    artifact = work.artifacts.get()
    lead_a, lead_b, reviewer = world["lead_a"], world["lead_b"], world["reviewer"]
    maya, kim, admin = world["maya"], world["kim"], world["admin"]
    home = reverse("review_lead:home")
    report_a = reverse("review_lead:report", args=[pool_a.pk])
    exemplars_a = reverse("review_lead:exemplars", args=[pool_a.pk])
    mark_a = reverse("review_lead:exemplar_mark", args=[pool_a.pk, work.pk])
    artifact_a = reverse("review_lead:artifact", args=[pool_a.pk, artifact.pk])
    calibration_a = reverse("review_lead:calibration", args=[pool_a.pk])
    attempts = reverse("review_lead:attempts")
    reports = reverse("review_lead:reports")
    # Pool A's objects through pool B's URLs: not found, even for pool B's lead.
    mark_via_b = reverse("review_lead:exemplar_mark", args=[pool_b.pk, work.pk])
    artifact_via_b = reverse("review_lead:artifact", args=[pool_b.pk, artifact.pk])

    expected = {
        home: {lead_a: 200, lead_b: 200, reviewer: 200, maya: 404, kim: 404, admin: 200},
        report_a: {lead_a: 200, lead_b: 404, reviewer: 404, maya: 404, kim: 404, admin: 404},
        exemplars_a: {lead_a: 200, lead_b: 404, reviewer: 404, maya: 404, kim: 404, admin: 404},
        mark_a: {lead_a: 200, lead_b: 404, reviewer: 404, maya: 404, kim: 404, admin: 404},
        artifact_a: {lead_a: 200, lead_b: 404, reviewer: 404, maya: 404, kim: 404, admin: 404},
        calibration_a: {lead_a: 200, lead_b: 404, reviewer: 200, maya: 404, kim: 404, admin: 404},
        attempts: {lead_a: 200, lead_b: 200, reviewer: 404, maya: 404, kim: 404, admin: 200},
        reports: {lead_a: 200, lead_b: 200, reviewer: 404, maya: 404, kim: 404, admin: 404},
        mark_via_b: {lead_b: 404},
        artifact_via_b: {lead_b: 404},
    }
    for url, by_user in expected.items():
        for user, status in by_user.items():
            assert status_of(client, user, "get", url) == status, (url, user.display_name)
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Ids that do not exist, or of another kind, are plain 404s.
    client.force_login(lead_a)
    assert client.get(reverse("review_lead:report", args=[999999])).status_code == 404
    assert client.get(reverse("review_lead:artifact", args=[pool_a.pk, 999999])).status_code == 404


def test_undecided_work_is_not_offered_as_an_exemplar(
    client, world, django_capture_on_commit_callbacks
):
    waiting = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    client.force_login(world["lead_a"])
    url = reverse("review_lead:exemplar_mark", args=[world["pool_a"].pk, waiting.pk])
    assert client.get(url).status_code == 404


def test_artifact_download_is_blind_and_never_rendered(
    client, world, django_capture_on_commit_callbacks
):
    work = decided(
        world["data"],
        django_capture_on_commit_callbacks,
        learner=world["maya"],
        file_name="Maya Torres analysis.pdf",
    )
    artifact = work.artifacts.get()
    client.force_login(world["lead_a"])
    response = client.get(reverse("review_lead:artifact", args=[world["pool_a"].pk, artifact.pk]))
    assert response.status_code == 200
    copy = b"".join(response.streaming_content)  # the reviewers' copy, without its producer
    assert b"pypdf" in PDF and b"pypdf" not in copy and copy.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{work.number}-artifact-{artifact.pk}.pdf" in disposition
    assert "Maya" not in disposition and "Torres" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    page = client.get(reverse("review_lead:exemplar_mark", args=[world["pool_a"].pk, work.pk]))
    assert "Maya" not in page.content.decode()


# Exemplars.


def test_lead_marks_an_exemplar_and_bad_input_saves_nothing(
    client, world, django_capture_on_commit_callbacks
):
    work = decided(world["data"], django_capture_on_commit_callbacks, result="not_yet")
    pool = world["pool_a"]
    client.force_login(world["lead_a"])
    listing = client.get(reverse("review_lead:exemplars", args=[pool.pk]))
    assert work.number in listing.content.decode()
    url = reverse("review_lead:exemplar_mark", args=[pool.pk, work.pk])

    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose meets or not yet for “Analysis”." in response.content.decode()
    assert not Exemplar.objects.exists()

    response = client.post(url, {f"criterion-{criteria_of(world['data'])[0]}": "sometimes"})
    assert response.status_code == 400
    assert not Exemplar.objects.exists()

    criterion = criteria_of(world["data"])[0]
    response = client.post(url, {f"criterion-{criterion}": "not_yet"})
    assert response.status_code == 302
    exemplar = Exemplar.objects.get()
    assert (exemplar.pool, exemplar.submission, exemplar.reference) == (
        pool,
        work,
        {criterion: "not_yet"},
    )
    assert exemplar.marked_by == world["lead_a"]
    # Marking it twice changes nothing.
    assert client.post(url, {f"criterion-{criterion}": "meets"}).status_code == 400
    assert Exemplar.objects.get().reference == {criterion: "not_yet"}


# Calibration.


@pytest.fixture
def exemplars(world, django_capture_on_commit_callbacks):
    return exemplars_build(world, django_capture_on_commit_callbacks)


def exemplars_build(world, django_capture_on_commit_callbacks):
    """Two exemplars in pool A: one that meets the rubric, one that does not yet."""
    criterion = criteria_of(world["data"])[0]
    made = []
    for result in ("meets", "not_yet"):
        work = decided(world["data"], django_capture_on_commit_callbacks, result=result)
        made.append(
            exemplar_mark(
                submission=work,
                pool=world["pool_a"],
                reference={criterion: result},
                marked_by=world["lead_a"],
            )
        )
    return made


def calibrate(client, pool, exemplars, answers):
    """Score the exemplars through the screens; each save shows the comparison."""
    url = reverse("review_lead:calibration", args=[pool.pk])
    for exemplar, answer in zip(exemplars, answers, strict=True):
        page = client.get(url)
        assert page.status_code == 200
        assert exemplar.submission.number in page.content.decode()
        criterion = next(iter(exemplar.reference))
        response = client.post(url, {"exemplar": exemplar.pk, f"criterion-{criterion}": answer})
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "review_lead:calibration_result", args=[pool.pk, exemplar.pk]
        )
    return client.get(url)


def test_scoring_every_exemplar_calibrates_the_reviewer(client, world, exemplars):
    newcomer = UserFactory(display_name="Noor Haddad")
    member = pool_member_add(pool=world["pool_a"], user=newcomer)
    assert member.calibrated_at is None
    client.force_login(newcomer)
    page = calibrate(client, world["pool_a"], exemplars, ["meets", "not_yet"])
    member.refresh_from_db()
    assert member.calibrated_at is not None
    assert PoolMember.objects.calibrated().filter(pk=member.pk).exists()
    text = page.content.decode()
    assert "You are calibrated for Data reviewers" in text
    assert "you agreed with the lead reviewers on <strong>2 of 2 criteria</strong> (100%)" in text
    assert CalibrationScore.objects.filter(reviewer=newcomer).count() == 2


def test_low_agreement_still_calibrates_and_says_so(client, world, exemplars):
    """Calibrated means every example scored; agreement below the bar is shown to the
    reviewer and their leads, who decide whether to pause them."""
    newcomer = UserFactory(display_name="Noor Haddad")
    member = pool_member_add(pool=world["pool_a"], user=newcomer)
    client.force_login(newcomer)
    page = calibrate(client, world["pool_a"], exemplars, ["meets", "meets"])
    assert PoolMember.objects.calibrated().filter(pk=member.pk).exists()
    text = page.content.decode()
    assert "<strong>1 of 2 criteria</strong> (50%)" in text
    assert "The pool aims for 80% or more." in text


def test_calibration_refuses_bad_input_and_other_pools_exemplars(
    client, world, exemplars, django_capture_on_commit_callbacks
):
    newcomer = UserFactory()
    pool_member_add(pool=world["pool_a"], user=newcomer)
    client.force_login(newcomer)
    url = reverse("review_lead:calibration", args=[world["pool_a"].pk])
    response = client.post(url, {"exemplar": exemplars[0].pk})
    assert response.status_code == 400
    assert "Choose meets or not yet" in response.content.decode()
    assert not CalibrationScore.objects.exists()
    other = exemplar_mark(
        submission=decided(world["design"], django_capture_on_commit_callbacks),
        pool=world["pool_b"],
        reference={criteria_of(world["design"])[0]: "meets"},
        marked_by=world["lead_b"],
    )
    criterion = next(iter(other.reference))
    response = client.post(url, {"exemplar": other.pk, f"criterion-{criterion}": "meets"})
    assert response.status_code == 404
    assert client.post(url, {"exemplar": "nope"}).status_code == 404
    assert not CalibrationScore.objects.exists()


def test_leads_see_every_members_agreement(client, world, exemplars):
    for user, answers in (("Noor Haddad", ["meets", "not_yet"]), ("Ola Berg", ["meets", "meets"])):
        person = UserFactory(display_name=user)
        pool_member_add(pool=world["pool_a"], user=person)
        for exemplar, answer in zip(exemplars, answers, strict=True):
            calibration_record(
                exemplar=exemplar,
                reviewer=person,
                results={next(iter(exemplar.reference)): answer},
            )
    report = report_get(pools=[world["pool_a"]])
    rows = {row.member.user.display_name: row for row in report.reviewers}
    assert rows["Noor Haddad"].calibration.percent == 100.0
    assert rows["Noor Haddad"].calibration.kappa == 1.0
    assert rows["Noor Haddad"].member.is_calibrated and rows["Noor Haddad"].meets_bar
    assert rows["Ola Berg"].calibration.percent == 50.0
    assert rows["Ola Berg"].member.is_calibrated and not rows["Ola Berg"].meets_bar
    assert rows["Ola Berg"].exemplars_scored == rows["Ola Berg"].exemplars_total == 2
    client.force_login(world["lead_a"])
    text = client.get(reverse("review_lead:report", args=[world["pool_a"].pk])).content.decode()
    assert "Noor Haddad" in text and "Ola Berg" in text and "below the bar" in text


# Reports.


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([4.0], 0.9) == 4.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)


def test_a_reviewers_cells_follow_the_tables_headers():
    """Exemplars scored, calibration agreement and kappa, double-reviewed, double-review
    agreement and kappa; a dash where there is nothing to tell yet."""
    row = ReviewerRow(
        member=SimpleNamespace(exemplars_scored=2, exemplars_total=3),
        calibration=Agreement(pairs=8, percent=87.5, kappa=0.125),
        double_reviewed=7,
        double=Agreement(pairs=0, percent=None, kappa=None),
    )
    assert row.cells == ("2 of 3", "87.5%", "0.13", "7", "—", "—")


def test_report_figures_on_known_data(client, world, django_capture_on_commit_callbacks):
    page = world["data"]
    capture = django_capture_on_commit_callbacks
    first = [decided(page, capture, result=r) for r in ("meets", "meets", "meets", "not_yet")]
    again = decided(page, capture, learner=first[3].learner)  # the second attempt earns it
    assert again.attempt == 2
    now = timezone.now()
    for submission, days in zip([*first, again], [1, 2, 3, 4, 10], strict=True):
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=now - timedelta(days=days + 1), decided_at=now - timedelta(days=1)
        )
    # Decided long ago: outside the 90 days.
    old = decided(page, capture)
    Submission.objects.filter(pk=old.pk).update(
        submitted_at=now - timedelta(days=300), decided_at=now - timedelta(days=200)
    )
    submit(page, UserFactory(), capture)  # in the queue
    decided(world["design"], capture)  # another pool's micro-credential

    report = report_get(pools=[world["pool_a"]], now=now)
    assert report.queue == 1
    assert report.turnaround.decided == 5
    assert report.turnaround.median_days == pytest.approx(3)
    assert report.turnaround.p90_days == pytest.approx(7.6)
    (rate,) = report.pass_rates
    assert (rate.title, rate.decided, rate.earned, rate.percent) == (
        "Using Classroom Data",
        5,
        4,
        80.0,
    )
    assert (rate.first_decided, rate.first_earned, rate.first_percent) == (4, 3, 75.0)
    # The table's cells, in the order of its headers: decided, earned, pass rate, first
    # attempts earned, first-attempt pass rate, median days.
    assert rate.cells == ("5", "4", "80%", "3 of 4", "75%", "3.0")
    assert report_get(pools=[world["pool_a"]], days=365, now=now).turnaround.decided == 6

    client.force_login(world["lead_a"])
    text = client.get(reverse("review_lead:report", args=[world["pool_a"].pk])).content.decode()
    assert "80%" in text and "75%" in text and "7.6 days" in text and "3.0 days" in text
    assert "Designing Learning" not in text


def test_report_over_two_micro_credentials_totals_both_and_an_empty_period_has_none(
    world, django_capture_on_commit_callbacks
):
    """The period's turnaround is over every decision in the pools, each pass rate over its
    own micro-credential's (on PostgreSQL both come from one grouped query)."""
    capture = django_capture_on_commit_callbacks
    now = timezone.now()
    waits = {world["data"]: [1, 2, 3], world["design"]: [10, 20]}
    for page, days_waited in waits.items():
        for days in days_waited:
            submission = decided(page, capture, result="meets" if days < 15 else "not_yet")
            Submission.objects.filter(pk=submission.pk).update(
                submitted_at=now - timedelta(days=days + 1), decided_at=now - timedelta(days=1)
            )
    pools = [world["pool_a"], world["pool_b"]]

    report = report_get(pools=pools, now=now)
    assert report.turnaround.decided == 5
    assert report.turnaround.median_days == pytest.approx(3)
    assert report.turnaround.p90_days == pytest.approx(16)  # 10 + 0.6 * (20 - 10)
    rates = {rate.title: rate for rate in report.pass_rates}
    assert sorted(rates) == ["Designing Learning", "Using Classroom Data"]
    assert (rates["Using Classroom Data"].decided, rates["Using Classroom Data"].earned) == (3, 3)
    assert rates["Using Classroom Data"].median_days == pytest.approx(2)
    assert (rates["Designing Learning"].decided, rates["Designing Learning"].earned) == (2, 1)
    assert rates["Designing Learning"].median_days == pytest.approx(15)

    # A period with no decisions: none counted, no turnaround, no pass rates.
    quiet = report_get(pools=pools, days=30, now=now + timedelta(days=60))
    assert (quiet.turnaround.decided, quiet.turnaround.median_days) == (0, None)
    assert quiet.turnaround.p90_days is None
    assert quiet.pass_rates == []


def test_double_review_agreement_per_reviewer(world, django_capture_on_commit_callbacks):
    design = world["design"]
    MicroCredentialPage.objects.filter(pk=design.pk).update(reviewers_required=2)
    design.refresh_from_db()
    second = UserFactory(display_name="Sol Reyes")
    pool_member_add(pool=world["pool_b"], user=second)
    capture = django_capture_on_commit_callbacks
    agreed = submit(design, UserFactory(), capture)
    for review in agreed.reviews.all():
        score(review, "meets")
    split = submit(design, UserFactory(), capture)
    first_review, second_review = split.reviews.order_by("pk")
    score(first_review, "meets")
    score(second_review, "not_yet")
    rows = {r.member.user.display_name: r for r in report_get(pools=[world["pool_b"]]).reviewers}
    for name in ("Bo Lind", "Sol Reyes"):
        assert rows[name].double_reviewed == 2
        assert rows[name].double.percent == 50.0
    # Sol deletes their account: the reviews stay, without a reviewer, and still count as
    # the other side of Bo's.
    Review.objects.filter(reviewer=second).update(reviewer=None)
    rows = {r.member.user.display_name: r for r in report_get(pools=[world["pool_b"]]).reviewers}
    assert (rows["Bo Lind"].double_reviewed, rows["Bo Lind"].double.percent) == (2, 50.0)


def test_double_review_tallies_written_as_reviews_complete_match_a_recount(
    world, django_capture_on_commit_callbacks
):
    """The lead report sums one tally a completed review, written as the review completes.
    Three reviewers who disagree leave the tallies a recount of every
    submission gives (what the upgrade migration and seed_scale run); the tallies go with
    the submission."""
    design = world["design"]
    MicroCredentialPage.objects.filter(pk=design.pk).update(reviewers_required=3)
    design.refresh_from_db()
    for name in ("Sol Reyes", "Ivy Chen"):
        pool_member_add(pool=world["pool_b"], user=UserFactory(display_name=name))
    submission = submit(design, UserFactory(), django_capture_on_commit_callbacks)
    criteria = criteria_of(design)
    n = len(criteria)
    reviews = list(submission.reviews.order_by("pk"))
    assert len(reviews) == 3
    for review, result in zip(reviews, ("meets", "not_yet", "not_yet"), strict=True):
        feedback = "" if result == "meets" else "Say more."
        review_record(review=review, scores=dict.fromkeys(criteria, (result, feedback)))

    columns = ("meets_meets", "meets_not_yet", "not_yet_meets", "not_yet_not_yet")
    tallies = {t.review_id: t for t in DoubleReviewTally.objects.all()}
    # "Meets" against two "not yet"s; "not yet" against one "meets" and one "not yet".
    assert [getattr(tallies[reviews[0].pk], c) for c in columns] == [0, 2 * n, 0, 0]
    assert [getattr(tallies[reviews[1].pk], c) for c in columns] == [0, 0, n, n]
    fields = ("review_id", "reviewer_id", "micro_credential_id", "submitted_at", *columns)
    kept = set(DoubleReviewTally.objects.values_list(*fields))
    assert len(kept) == 3
    DoubleReviewTally.objects.all().delete()
    recounted = tallies_rebuild(
        tally_model=DoubleReviewTally, score_model=CriterionScore, submission_model=Submission
    )
    assert recounted == 3
    assert set(DoubleReviewTally.objects.values_list(*fields)) == kept

    rows = {r.member.user.display_name: r for r in report_get(pools=[world["pool_b"]]).reviewers}
    assert {name: rows[name].double_reviewed for name in rows} == dict.fromkeys(rows, 1)
    Submission.objects.filter(pk=submission.pk).delete()
    assert not DoubleReviewTally.objects.exists()
    rows = report_get(pools=[world["pool_b"]]).reviewers
    assert [r.double_reviewed for r in rows] == [0, 0, 0]


def test_reviews_recorded_without_tallies_during_a_deploy_are_tallied_the_next_night(
    world, django_capture_on_commit_callbacks
):
    """While a deploy is under way the code before the tallies may record reviews after the
    migration's backfill read them: the nightly mend finds the week's completed reviews that
    have another reviewer's beside them but no tally, and tallies their submissions."""
    design = world["design"]
    MicroCredentialPage.objects.filter(pk=design.pk).update(reviewers_required=2)
    design.refresh_from_db()
    pool_member_add(pool=world["pool_b"], user=UserFactory(display_name="Sol Reyes"))
    capture = django_capture_on_commit_callbacks
    recent, older = (decided(design, capture) for _ in range(2))
    assert DoubleReviewTally.objects.count() == 4
    DoubleReviewTally.objects.all().delete()  # as the code before the tallies left them
    Review.objects.filter(submission=older).update(completed_at=timezone.now() - timedelta(days=8))

    assert double_review_tallies_mend() == 1
    assert set(DoubleReviewTally.objects.values_list("review__submission", flat=True)) == {
        recent.pk
    }
    rows = {r.member.user.display_name: r for r in report_get(pools=[world["pool_b"]]).reviewers}
    assert (rows["Sol Reyes"].double_reviewed, rows["Sol Reyes"].double.percent) == (1, 100.0)
    assert double_review_tallies_mend() == 0  # nothing left to mend


def test_reports_page_queries_do_not_grow(client, world, django_capture_on_commit_callbacks):
    page, capture = world["data"], django_capture_on_commit_callbacks
    client.force_login(world["lead_a"])
    urls = [
        reverse("review_lead:report", args=[world["pool_a"].pk]),
        reverse("review_lead:reports"),
        reverse("review_lead:exemplars", args=[world["pool_a"].pk]),
        reverse("review_lead:attempts"),
    ]
    MicroCredentialPage.objects.filter(pk=page.pk).update(attempt_limit=1)
    page.refresh_from_db()

    def add(n):
        for i in range(n):
            work = decided(page, capture, result="meets" if i % 3 else "not_yet")
            if i % 5 == 0:
                exemplar_mark(
                    submission=work,
                    pool=world["pool_a"],
                    reference=dict.fromkeys(criteria_of(page), "meets"),
                    marked_by=world["lead_a"],
                )

    def counts():
        found = []
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    add(10)
    small = counts()
    add(50)
    assert counts() == small


# Another attempt.


@pytest.fixture
def at_the_limit(world, django_capture_on_commit_callbacks):
    """Maya used her only attempt at "Using Classroom Data" and it was "not yet"."""
    page = world["data"]
    MicroCredentialPage.objects.filter(pk=page.pk).update(attempt_limit=1)
    page.refresh_from_db()
    work = decided(
        page, django_capture_on_commit_callbacks, result="not_yet", learner=world["maya"]
    )
    assert attempts_get(learner=world["maya"], page=page).left == 0
    return work


def test_leads_see_numbers_and_admins_see_their_own_people(client, world, at_the_limit):
    url = reverse("review_lead:attempts")
    client.force_login(world["lead_a"])
    text = client.get(url).content.decode()
    assert at_the_limit.number in text and "Maya" not in text
    client.force_login(world["admin"])
    text = client.get(url).content.decode()
    # A name, and no submission number beside it: that would unblind a lead's queue.
    assert "Maya Torres" in text and at_the_limit.number not in text
    for outsider in (world["other_admin"], world["lead_b"]):
        client.force_login(outsider)
        text = client.get(url).content.decode()
        assert at_the_limit.number not in text and "Maya" not in text


@pytest.mark.parametrize("who", ["lead_a", "admin"])
def test_allow_another_attempt(client, world, at_the_limit, who):
    client.force_login(world[who])
    url = reverse("review_lead:attempts")
    response = client.post(url, {"submission": at_the_limit.pk, "note": "   "})
    assert response.status_code == 400
    assert "Write a note on why another attempt is allowed." in response.content.decode()
    assert not AttemptAllowance.objects.exists()

    response = client.post(
        url, {"submission": at_the_limit.pk, "note": "We went through the feedback on Monday."}
    )
    assert response.status_code == 302
    allowance = AttemptAllowance.objects.get()
    assert (allowance.learner, allowance.granted_by) == (world["maya"], world[who])
    assert attempts_get(learner=world["maya"], page=world["data"]).left == 1
    assert Notification.objects.filter(user=world["maya"], message__contains="another attempt")
    assert "Nobody is at the limit." in client.get(url).content.decode()
    # Once allowed, the learner can start again.
    assert submission_start(learner=world["maya"], page=world["data"]).attempt == 2


@pytest.mark.parametrize("who", ["lead_b", "other_admin", "reviewer", "maya", "kim"])
def test_others_cannot_allow_another_attempt(client, world, at_the_limit, who):
    client.force_login(world[who])
    response = client.post(
        reverse("review_lead:attempts"), {"submission": at_the_limit.pk, "note": "Please."}
    )
    assert response.status_code == 404
    assert not AttemptAllowance.objects.exists()


def test_nobody_with_attempts_left_is_listed(world, django_capture_on_commit_callbacks):
    decided(world["data"], django_capture_on_commit_callbacks, result="not_yet")  # 1 of 3
    assert at_limit_list(scope=Q(pk__isnull=False), named_learners=[]) == []


def test_the_district_dashboard_shows_its_members_review_outcomes(
    client, world, django_capture_on_commit_callbacks
):
    """Credentials adds review outcomes to learning's district dashboard (registered at
    start-up): decided work of the district's members only, with the days to decision."""
    maya = world["maya"]
    earned = decided(world["data"], django_capture_on_commit_callbacks, learner=maya)
    Submission.objects.filter(pk=earned.pk).update(
        submitted_at=earned.decided_at - timedelta(days=3)
    )
    decided(world["design"], django_capture_on_commit_callbacks, result="not_yet", learner=maya)
    decided(world["data"], django_capture_on_commit_callbacks)  # not a member: not counted
    client.force_login(world["admin"])
    page = client.get(reverse("learning:district_dashboard", args=["riverside"])).content.decode()
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))
    assert rows["Evidence reviews: earned"] == "1"
    assert rows["Evidence reviews: not yet"] == "1"
    assert rows["Days from submission to decision (average)"] == "1.5"  # (3 + 0) / 2
