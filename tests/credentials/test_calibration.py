"""Calibration that gates live work, and leads managing their pool's members.

The rule: a member is calibrated in a pool when they lead it or have scored every exemplar
the pool has now. Only calibrated, active members get the pool's live work; the queue puts
calibration first; leads see who is calibrated and add, pause, resume and remove members
(404 for anyone else)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.errors import LeapError
from accounts.models import Notification
from credentials.models import CalibrationScore, PoolMember, Review, ReviewerPool
from credentials.selectors.reports import report_get
from credentials.selectors.review import pool_member_list, reviewer_eligible_list
from credentials.services.calibration import calibration_record, exemplar_mark
from credentials.services.review import (
    pool_member_add,
    pool_member_join,
    pool_member_remove,
    pool_member_set_active,
)
from tests.credentials.test_lead_tools import (
    criteria_of,
    decided,
    exemplars_build,
    status_of,
    submit,
    world_build,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# report_get over two pools, whatever the work (tests/credentials/test_lead_tools.py checks
# that it does not grow); the reviewer table used to count exemplars in one more. The
# decisions are one query on either database: on PostgreSQL the figures per
# micro-credential and the period's percentiles are aggregated in one pass (grouping sets).
REPORT_QUERIES = 7


@pytest.fixture
def world(db):
    """The lead tools' people and pools (tests/credentials/test_lead_tools.py)."""
    return world_build()


@pytest.fixture
def exemplars(world, django_capture_on_commit_callbacks):
    return exemplars_build(world, django_capture_on_commit_callbacks)


def member(world, who, pool="pool_a"):
    return PoolMember.objects.get(pool=world[pool], user=world[who])


def calibrated(m: PoolMember) -> bool:
    return PoolMember.objects.calibrated().filter(pk=m.pk).exists()


def score_all(exemplars, user, answer=None):
    for exemplar in exemplars:
        results = {cid: answer or expected for cid, expected in exemplar.reference.items()}
        calibration_record(exemplar=exemplar, reviewer=user, results=results)


# The rule.


def test_the_calibration_rule(world, exemplars, django_capture_on_commit_callbacks):
    rui, lead = member(world, "reviewer"), member(world, "lead_a")
    # Rui joined before the pool had exemplars; now it has two he has not scored.
    assert not calibrated(rui) and calibrated(lead)  # leads set the references
    assert calibrated(member(world, "lead_b", "pool_b"))  # pool B has no exemplars
    calibration_record(
        exemplar=exemplars[0], reviewer=world["reviewer"], results=exemplars[0].reference
    )
    counted = PoolMember.objects.with_calibration().get(pk=rui.pk)
    assert (counted.exemplars_scored, counted.exemplars_total, counted.is_calibrated) == (
        1,
        2,
        False,
    )
    # Scoring the last one calibrates, whatever the agreement.
    wrong = dict.fromkeys(exemplars[1].reference, "meets")
    assert wrong != exemplars[1].reference
    calibration_record(exemplar=exemplars[1], reviewer=world["reviewer"], results=wrong)
    rui.refresh_from_db()
    assert calibrated(rui) and rui.calibrated_at is not None
    # A new exemplar un-calibrates every member who is not a lead, until they score it.
    third = exemplar_mark(
        submission=decided(world["data"], django_capture_on_commit_callbacks),
        pool=world["pool_a"],
        reference=dict.fromkeys(criteria_of(world["data"]), "meets"),
        marked_by=world["lead_a"],
    )
    rui.refresh_from_db()
    assert not calibrated(rui) and rui.calibrated_at is None
    assert calibrated(lead)
    score_all([third], world["reviewer"])
    assert calibrated(rui)


def test_scoring_an_example_twice_or_wrongly_changes_nothing(world, exemplars):
    cid = next(iter(exemplars[0].reference))
    with pytest.raises(LeapError, match="Score every criterion"):
        calibration_record(exemplar=exemplars[0], reviewer=world["reviewer"], results={})
    with pytest.raises(LeapError, match="Score every criterion"):
        calibration_record(
            exemplar=exemplars[0], reviewer=world["reviewer"], results={cid: "maybe"}
        )
    calibration_record(exemplar=exemplars[0], reviewer=world["reviewer"], results={cid: "meets"})
    with pytest.raises(LeapError, match="scored this example already"):
        calibration_record(
            exemplar=exemplars[0], reviewer=world["reviewer"], results={cid: "not_yet"}
        )
    assert CalibrationScore.objects.get().results == {cid: "meets"}


# Live work goes only to calibrated members, pool by pool.


def test_live_work_waits_for_calibration_in_that_pool(
    world, exemplars, django_capture_on_commit_callbacks
):
    rui = world["reviewer"]
    # Rui is also in pool B, which has no exemplars: calibrated there, not in pool A.
    pool_member_add(pool=world["pool_b"], user=rui)
    data_work = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    design_work = submit(world["design"], UserFactory(), django_capture_on_commit_callbacks)
    assert rui not in reviewer_eligible_list(submission=data_work)
    assert rui in reviewer_eligible_list(submission=design_work)
    # The assignment service, not only the screen: the data work went to the lead.
    assert set(data_work.reviews.values_list("reviewer", flat=True)) == {world["lead_a"].pk}
    score_all(exemplars, rui)
    another = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    # Least loaded first: the lead holds one open review already, Rui has none from A.
    assert another.reviews.get().reviewer == rui


def test_the_queue_puts_calibration_first(
    client, world, exemplars, django_capture_on_commit_callbacks
):
    client.force_login(world["reviewer"])
    text = client.get(reverse("review:queue")).content.decode()
    assert "First, calibration" in text
    assert "Score these 2 examples before live work." in text
    assert reverse("review_lead:calibration", args=[world["pool_a"].pk]) in text
    assert text.index("First, calibration") < text.index("Live work")
    assert "Live work comes to you once you have scored the examples above." in text

    calibration_record(
        exemplar=exemplars[0], reviewer=world["reviewer"], results=exemplars[0].reference
    )
    text = client.get(reverse("review:queue")).content.decode()
    assert "Score the last 1 example before live work." in text
    assert "Continue calibration" in text

    score_all(exemplars[1:], world["reviewer"])
    for _ in range(2):  # the first goes to the lead, the least loaded and oldest account
        submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    text = client.get(reverse("review:queue")).content.decode()
    assert "First, calibration" not in text
    review = Review.objects.get(reviewer=world["reviewer"], state="assigned")
    assert reverse("review:detail", args=[review.pk]) in text


# Scoring blind, then the comparison.


def test_the_comparison_is_shown_only_after_scoring(client, world, exemplars):
    pool = world["pool_a"]
    client.force_login(world["reviewer"])
    url = reverse("review_lead:calibration", args=[pool.pk])
    result_url = reverse("review_lead:calibration_result", args=[pool.pk, exemplars[0].pk])
    assert client.get(result_url).status_code == 404  # no peeking at the reference

    page = client.get(url).content.decode()
    assert "Example 1 of 2" in page and "Reference" not in page
    cid = next(iter(exemplars[0].reference))
    response = client.post(url, {"exemplar": exemplars[0].pk, f"criterion-{cid}": "meets"})
    assert response["Location"] == result_url
    text = client.get(result_url).content.decode()
    assert "You agreed with the reference on 1 of 1 criterion." in text
    assert "Next example (2 of 2)" in text

    # The second one scored differently from the reference.
    response = client.post(url, {"exemplar": exemplars[1].pk, f"criterion-{cid}": "meets"})
    text = client.get(response["Location"]).content.decode()
    assert "You agreed with the reference on 0 of 1 criterion." in text
    assert "Differed" in text
    assert "you are calibrated for Data reviewers" in text
    assert "Go to your review queue" in text
    assert "<strong>1 of 2 criteria</strong> (50%)" in text
    # Posting a scored example again keeps the first scores.
    again = client.post(url, {"exemplar": exemplars[0].pk, f"criterion-{cid}": "not_yet"})
    assert again.status_code == 302
    assert CalibrationScore.objects.get(exemplar=exemplars[0]).results == {cid: "meets"}


def test_another_pools_result_is_not_found(client, world, exemplars):
    outsider = UserFactory()
    pool_member_add(pool=world["pool_b"], user=outsider)
    client.force_login(outsider)
    for pool in ("pool_a", "pool_b"):
        url = reverse("review_lead:calibration_result", args=[world[pool].pk, exemplars[0].pk])
        assert client.get(url).status_code == 404


# Leads manage the pool's members.


def test_lead_sees_who_is_calibrated(client, world, exemplars):
    score_all(exemplars[:1], world["reviewer"])
    client.force_login(world["lead_a"])
    home = client.get(reverse("review_lead:home")).content.decode()
    pool_url = reverse("review_lead:pool", args=[world["pool_a"].pk])
    assert pool_url in home
    text = client.get(pool_url).content.decode()
    assert "Rui Costa" in text and "Lena Park" in text
    assert "Not calibrated" in text and "1 of 2 examples scored" in text
    assert "100%" in text  # his one score agreed


def test_adding_a_member_by_email(client, world, exemplars, django_capture_on_commit_callbacks):
    pool = world["pool_a"]
    url = reverse("review_lead:pool", args=[pool.pk])
    client.force_login(world["lead_a"])
    before = PoolMember.objects.count()

    # An unknown address and an account whose address is not confirmed get the same
    # answer: the form tells a lead nothing about who has an account.
    UserFactory(email="pending@school.example", verified=False)
    neutral = "We couldn&#x27;t add that address. Check it is the address they sign in to Leap"
    for address in ("nobody@nowhere.example", "pending@school.example"):
        response = client.post(url, {"email": address})
        assert response.status_code == 400
        text = response.content.decode()
        assert neutral in text and "Nobody was added." in text
        assert "No active Leap account" not in text
    response = client.post(url, {"email": ""})
    assert response.status_code == 400
    assert "Enter the e-mail address of the person to add." in response.content.decode()
    response = client.post(url, {"email": "RUI@reviewers.example"})
    assert response.status_code == 400
    assert "Rui Costa is already a member of Data reviewers." in response.content.decode()
    assert PoolMember.objects.count() == before

    newcomer = UserFactory(email="noor@school.example", display_name="Noor Haddad")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "noor@school.example"}, follow=True)
    assert "Noor Haddad joined Data reviewers and has been told." in response.content.decode()
    joined = PoolMember.objects.get(pool=pool, user=newcomer)
    assert joined.is_active and not joined.is_lead and not calibrated(joined)
    notice = Notification.objects.get(user=newcomer)
    assert "Score 2 examples before live work" in notice.message
    assert notice.url == reverse("review_lead:calibration", args=[pool.pk])
    assert [m.to for m in mail.outbox] == [["noor@school.example"]]
    assert "score 2 examples" in mail.outbox[0].body


def test_pausing_resuming_and_removing(client, world, django_capture_on_commit_callbacks):
    pool = world["pool_a"]
    spare = UserFactory(display_name="Sol Reyes")
    pool_member_add(pool=pool, user=spare)
    # The first goes to the lead (least loaded, oldest account), the second to Rui.
    submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    work = submit(world["data"], UserFactory(), django_capture_on_commit_callbacks)
    rui = member(world, "reviewer")
    open_review = work.reviews.get(state="assigned")
    assert open_review.reviewer == world["reviewer"]
    client.force_login(world["lead_a"])
    active_url = reverse("review_lead:member_active", args=[pool.pk, rui.pk])
    pool_url = reverse("review_lead:pool", args=[pool.pk])

    assert client.get(active_url).status_code == 405
    response = client.post(active_url, {"action": "nap"}, follow=True)
    assert "Choose pause or resume." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(active_url, {"action": "pause"}, follow=True)
    assert "Rui Costa is paused" in response.content.decode()
    rui.refresh_from_db()
    assert not rui.is_active
    open_review.refresh_from_db()
    assert open_review.state == "reassigned"
    assert work.reviews.get(state="assigned").reviewer == spare
    assert "Paused" in client.get(pool_url).content.decode()
    # Adding a paused member is refused with what to do instead.
    response = client.post(pool_url, {"email": "rui@reviewers.example"})
    assert "paused: resume them instead" in response.content.decode()

    client.post(active_url, {"action": "resume"})
    rui.refresh_from_db()
    assert rui.is_active

    remove_url = reverse("review_lead:member_remove", args=[pool.pk, rui.pk])
    confirm = client.get(remove_url).content.decode()
    assert "Remove Rui Costa from Data reviewers?" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url, follow=True)
    assert "Rui Costa is no longer in Data reviewers." in response.content.decode()
    assert not PoolMember.objects.filter(pk=rui.pk).exists()
    # Added again, he is back as a reviewer.
    client.post(pool_url, {"email": "rui@reviewers.example"})
    assert PoolMember.objects.get(pool=pool, user=world["reviewer"]).is_active


def test_a_lead_cannot_pause_or_remove_themselves(client, world):
    pool = world["pool_a"]
    lead = member(world, "lead_a")
    client.force_login(world["lead_a"])
    response = client.post(
        reverse("review_lead:member_active", args=[pool.pk, lead.pk]),
        {"action": "pause"},
        follow=True,
    )
    assert "You cannot pause yourself here." in response.content.decode()
    response = client.post(
        reverse("review_lead:member_remove", args=[pool.pk, lead.pk]), follow=True
    )
    assert "You cannot remove yourself here." in response.content.decode()
    lead.refresh_from_db()
    assert lead.is_active


def test_co_leads_cannot_pause_or_remove_each_other(client, world):
    """Leads are the staff's to change: a lead's tools refuse a co-lead, whoever asks, and
    the pool page offers no action on a lead (so removing and re-adding cannot turn a lead
    into a plain reviewer either)."""
    pool = world["pool_a"]
    lena = member(world, "lead_a")
    ines = pool_member_add(
        pool=pool,
        user=UserFactory(display_name="Ines Duarte", email="ines@reviewers.example"),
        is_lead=True,
    )
    refused = (
        "Ines Duarte is a lead of Data reviewers, so cannot be {} here. Leads are changed "
        "by the platform staff."
    )
    client.force_login(world["lead_a"])
    page = client.get(reverse("review_lead:pool", args=[pool.pk])).content.decode()
    assert 'Pause<span class="visually-hidden"> Ines Duarte' not in page
    assert reverse("review_lead:member_remove", args=[pool.pk, ines.pk]) not in page
    assert "Leads are changed by the platform staff" in page
    # Rui, a reviewer, still has both actions.
    rui = member(world, "reviewer")
    assert reverse("review_lead:member_remove", args=[pool.pk, rui.pk]) in page

    active_url = reverse("review_lead:member_active", args=[pool.pk, ines.pk])
    remove_url = reverse("review_lead:member_remove", args=[pool.pk, ines.pk])
    response = client.post(active_url, {"action": "pause"}, follow=True)
    assert refused.format("paused") in response.content.decode()
    response = client.get(remove_url, follow=True)  # no confirmation page for a lead
    assert refused.format("removed") in response.content.decode()
    assert "Remove Ines Duarte" not in response.content.decode()
    response = client.post(remove_url, follow=True)
    assert refused.format("removed") in response.content.decode()
    # The services refuse it too, in either direction, and for resuming a paused lead.
    for target in (ines, lena):
        with pytest.raises(LeapError, match="Leads are changed by the platform staff"):
            pool_member_set_active(member=target, active=False)
        with pytest.raises(LeapError, match="Leads are changed by the platform staff"):
            pool_member_remove(member=target)
    PoolMember.objects.filter(pk=ines.pk).update(is_active=False)  # paused by staff
    with pytest.raises(LeapError, match="cannot be resumed here"):
        pool_member_set_active(member=ines, active=True)
    assert list(
        PoolMember.objects.filter(pool=pool, is_lead=True).order_by("pk").values_list("is_active")
    ) == [(True,), (False,)]


def test_lead_tools_lock_the_pool_before_the_member(world):
    """Every change a lead makes to a pool's members locks the pool row first, then the
    member's: two co-leads acting at once take turns (the PostgreSQL test in
    test_concurrent_pool.py runs them at the same moment)."""
    pool = world["pool_a"]
    rui = member(world, "reviewer")
    for change in (
        lambda: pool_member_set_active(member=rui, active=False),
        lambda: pool_member_set_active(member=rui, active=True),
        lambda: pool_member_remove(member=rui),
        lambda: pool_member_join(pool=pool, user=world["reviewer"], added_by=world["lead_a"]),
    ):
        with CaptureQueriesContext(connection) as queries:
            change()
        reads = [
            (table, q["sql"])
            for q in queries.captured_queries
            for table in ("credentials_reviewerpool", "credentials_poolmember")
            if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
        ]
        assert reads[0][0] == "credentials_reviewerpool", reads
        if connection.features.has_select_for_update:  # PostgreSQL: a real row lock
            assert reads[0][1].endswith("FOR UPDATE"), reads[0][1]


def test_a_member_removed_meanwhile_is_reported_not_an_error(world):
    rui = member(world, "reviewer")
    pool_member_remove(member=rui)  # another lead, a moment before
    with pytest.raises(LeapError, match="Rui Costa is no longer in Data reviewers."):
        pool_member_set_active(member=rui, active=False)
    with pytest.raises(LeapError, match="Rui Costa is no longer in Data reviewers."):
        pool_member_remove(member=rui)


def test_join_refuses_an_existing_member(world):
    with pytest.raises(LeapError, match="already a member"):
        pool_member_join(pool=world["pool_a"], user=world["reviewer"], added_by=world["lead_a"])


def test_only_the_pools_leads_manage_it(client, world):
    pool_a, pool_b = world["pool_a"], world["pool_b"]
    rui = member(world, "reviewer")
    bo = member(world, "lead_b", "pool_b")
    pool_url = reverse("review_lead:pool", args=[pool_a.pk])
    active_url = reverse("review_lead:member_active", args=[pool_a.pk, rui.pk])
    remove_url = reverse("review_lead:member_remove", args=[pool_a.pk, rui.pk])
    for user in (world["lead_b"], world["reviewer"], world["kim"], world["admin"]):
        assert status_of(client, user, "get", pool_url) == 404
        assert status_of(client, user, "post", pool_url, {"email": "kim@school.example"}) == 404
        assert status_of(client, user, "post", active_url, {"action": "pause"}) == 404
        assert status_of(client, user, "get", remove_url) == 404
        assert status_of(client, user, "post", remove_url) == 404
    # Another pool's member through this pool's URLs: not found, even for a lead.
    client.force_login(world["lead_a"])
    other = reverse("review_lead:member_active", args=[pool_a.pk, bo.pk])
    assert client.post(other, {"action": "pause"}).status_code == 404
    assert (
        client.get(reverse("review_lead:member_remove", args=[pool_a.pk, bo.pk])).status_code == 404
    )
    assert client.get(reverse("review_lead:pool", args=[pool_b.pk])).status_code == 404
    assert PoolMember.objects.filter(is_active=True).count() == 3
    assert not PoolMember.objects.filter(user=world["kim"]).exists()
    client.logout()
    assert "/accounts/login/" in client.get(pool_url)["Location"]


# Fixed query counts.


def test_pool_page_and_queue_queries_do_not_grow(
    client, world, exemplars, django_capture_on_commit_callbacks
):
    pool = world["pool_a"]

    def grow(n):
        for _ in range(n):
            person = UserFactory()
            pool_member_add(pool=pool, user=person)
            score_all(exemplars[:1], person)

    def count(user, url):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    pool_url = reverse("review_lead:pool", args=[pool.pk])
    queue_url = reverse("review:queue")
    grow(2)
    small = (count(world["lead_a"], pool_url), count(world["reviewer"], queue_url))
    grow(12)
    # More pools to calibrate in, and more open work, for the reviewer.
    for _ in range(4):
        extra = exemplar_mark(
            submission=decided(world["data"], django_capture_on_commit_callbacks),
            pool=pool,
            reference=dict.fromkeys(criteria_of(world["data"]), "meets"),
            marked_by=world["lead_a"],
        )
        assert extra
    assert (count(world["lead_a"], pool_url), count(world["reviewer"], queue_url)) == small


# A lead sees only the work their pool covers.


def test_open_reviews_count_only_the_work_this_pool_covers(
    client, world, django_capture_on_commit_callbacks
):
    """Rui reviews in pool A (data) and pool B (design): each pool's leads see his open
    reviews of their own work only, and the confirmation says what leaving really hands on."""
    capture = django_capture_on_commit_callbacks
    rui = world["reviewer"]
    pool_a, pool_b = world["pool_a"], world["pool_b"]
    pool_member_add(pool=pool_b, user=rui)
    pool_member_add(pool=pool_a, user=UserFactory(display_name="Sol Reyes"))
    # Least loaded, then oldest account: the second data work and the third design work
    # are Rui's.
    for _ in range(2):
        submit(world["data"], UserFactory(), capture)
    for _ in range(3):
        submit(world["design"], UserFactory(), capture)
    mine = Review.objects.filter(reviewer=rui, state="assigned")
    data_review = mine.get(submission__micro_credential=world["data"])
    design_review = mine.get(submission__micro_credential=world["design"])

    def open_cell(lead, pool):
        client.force_login(world[lead])
        text = client.get(reverse("review_lead:pool", args=[pool.pk])).content.decode()
        row = text[text.index("Rui Costa") :]
        row = row[: row.index("</tr>")]
        return row[row.index('data-label="Open reviews here">') :].split(">")[1].split("<")[0]

    assert open_cell("lead_a", pool_a) == "1"
    assert open_cell("lead_b", pool_b) == "1"

    client.force_login(world["lead_a"])
    remove_url = reverse(
        "review_lead:member_remove", args=[pool_a.pk, member(world, "reviewer").pk]
    )
    text = client.get(remove_url).content.decode()
    assert "The review of this pool's work they have open goes to other reviewers" in text
    assert "stays with them" not in text

    # In a pool that covers everything as well, his data review would stay with him.
    everything = ReviewerPool.objects.create(name="Everything")
    pool_member_add(pool=everything, user=rui)
    text = client.get(remove_url).content.decode()
    assert "One open review stays with them, because another of their pools covers" in text
    assert "goes to other reviewers" not in text
    with capture(execute=True):
        client.post(remove_url)
    data_review.refresh_from_db()
    design_review.refresh_from_db()
    assert (data_review.state, design_review.state) == ("assigned", "assigned")

    # Leaving the everything pool hands on only the work no pool of his still covers.
    with capture(execute=True):
        pool_member_remove(member=PoolMember.objects.get(pool=everything, user=rui))
    data_review.refresh_from_db()
    design_review.refresh_from_db()
    assert (data_review.state, design_review.state) == ("reassigned", "assigned")
    replacement = Review.objects.get(submission=data_review.submission, state="assigned")
    assert replacement.reviewer.display_name == "Sol Reyes"


# The queue for someone with no pool.


@pytest.mark.parametrize("how", ["never", "paused", "removed"])
def test_the_queue_explains_itself_to_someone_in_no_pool(client, world, how):
    person = world["kim"] if how == "never" else world["reviewer"]
    if how == "paused":
        PoolMember.objects.filter(user=person).update(is_active=False)
    elif how == "removed":
        pool_member_remove(member=member(world, "reviewer"))
    client.force_login(person)
    text = client.get(reverse("review:queue")).content.decode()
    assert "You are not an active reviewer in any pool just now" in text
    assert "examples above" not in text and "First, calibration" not in text


def test_pool_page_and_report_share_one_agreement_in_fixed_queries(world, exemplars):
    """One helper builds calibration agreement for the pool page and the reports, from the
    counts `with_calibration()` annotates: two queries for the members, and the report's
    reviewer table in three (members, calibration scores, double reviews)."""
    score_all(exemplars[:1], world["reviewer"])
    score_all(exemplars, world["lead_b"], answer="not_yet")  # not in pool A: not counted
    with CaptureQueriesContext(connection) as listed:
        rows = pool_member_list(pool=world["pool_a"])
    assert len(listed.captured_queries) == 2
    with CaptureQueriesContext(connection) as reported:
        report = report_get(pools=[world["pool_a"], world["pool_b"]])
    assert len(reported.captured_queries) == REPORT_QUERIES
    on_page = {row.member.user.display_name: row for row in rows}
    in_report = {
        (row.member.pool.name, row.member.user.display_name): row for row in report.reviewers
    }
    rui_page, rui_report = on_page["Rui Costa"], in_report[("Data reviewers", "Rui Costa")]
    assert rui_page.agreement == rui_report.calibration
    assert rui_page.agreement.percent == 100.0
    assert (rui_report.exemplars_scored, rui_report.exemplars_total) == (1, 2)
    assert in_report[("Design reviewers", "Bo Lind")].exemplars_total == 0
    assert in_report[("Design reviewers", "Bo Lind")].calibration.percent is None
