"""`seed_scale` at a thousandth of its size: the sizes it was asked for, the named people,
pages and club the benchmarks rely on at full size, the same data from the same seed, the
screens answering, a second run refusing to add to the first, and no run with DEBUG off
unless asked for."""

import datetime as dt
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone
from wagtail.models import Page

from accounts.models import User
from accounts.year_rollups import GroupRollup
from cms.models import BookPage, MicroCredentialPage, PathwayPage
from cms.scale_plan import (
    BIG_COHORT_MEMBERS,
    BIG_COHORT_POSTS,
    BIG_COHORT_SESSIONS,
    BIG_DISTRICT_INVITATIONS,
    HEAVY_BADGES,
    HEAVY_ENROLMENTS,
    HEAVY_PLAN_ITEMS,
    REVIEWER_OPEN,
    ScalePlan,
)
from credentials.decision_years import DECISION_YEARS, DISTRICT_DECISIONS
from credentials.models import (
    Assertion,
    DecisionYear,
    DistrictDecisionYear,
    PoolMember,
    Review,
    StatusListEntry,
    Submission,
)
from credentials.services.badges import identity_hash
from learning.activity_years import ACTIVITY_YEARS, DISTRICT_ACTIVITY, DISTRICT_BADGES
from learning.models import (
    ActivityYear,
    Attendance,
    Cohort,
    CohortMember,
    CreditEntry,
    District,
    DistrictActivityYear,
    DistrictBadgeCount,
    Enrolment,
    Invitation,
    Membership,
    PlanItem,
    Post,
    Rating,
    SelfAssessment,
    StepProgress,
)

pytestmark = pytest.mark.django_db

SCALE = "0.001"
SCALE_USERS = {"email__startswith": "scale-", "email__endswith": "@scale.example"}


def seed_scale(output, *args, allow_production: bool = True) -> str:
    """seed_scale at SCALE; tests run with DEBUG off, as production does."""
    out = StringIO()
    if allow_production:
        args = ("--allow-production", *args)
    call_command("seed_scale", "--scale", SCALE, "--output", str(output), *args, stdout=out)
    return out.getvalue()


def plan() -> ScalePlan:
    today = dt.datetime.combine(timezone.localdate(), dt.time.min)
    return ScalePlan.build(seed=1, now=timezone.make_aware(today), scale=float(SCALE))


def named(key: str) -> User:
    return User.objects.get(email=f"scale-{key}@scale.example")


def digest() -> str:
    """What the seed decides, in an order that does not depend on database ids."""
    people = User.objects.filter(**SCALE_USERS)
    rows = [
        sorted(people.values_list("email", "display_name", "credential_subject")),
        sorted(
            Membership.objects.filter(user__in=people).values_list(
                "user__email", "district__slug", "district__join_code", "role", "is_active"
            )
        ),
        sorted(
            Rating.objects.filter(assessment__user__in=people).values_list(
                "assessment__user__email", "element__code", "level"
            )
        ),
        sorted(
            Enrolment.objects.filter(user__in=people)
            .annotate(steps_done=Count("steps"))
            .values_list("user__email", "pathway__slug", "steps_done")
        ),
        sorted(
            Submission.objects.filter(learner__in=people).values_list(
                "learner__email", "micro_credential__slug", "attempt", "state"
            )
        ),
        sorted(
            Assertion.objects.filter(recipient__in=people).values_list(
                "recipient__email", "badge_class__micro_credential__slug", "uuid", "salt"
            )
        ),
        sorted(Page.objects.filter(slug__startswith="scale-").values_list("slug", "title")),
        sorted(Post.objects.filter(author__in=people).values_list("author__email", "body")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_seed_scale_makes_the_sizes_asked_for_and_the_named_fixtures_at_full_size(tmp_path, client):
    output = tmp_path / "var" / "scale.json"
    printed = seed_scale(output)
    sizes = plan()
    assert "credentials.Assertion" in printed and "total" in printed

    # The crowd, as planned (the floors apply at this scale); the fixtures come on top.
    people = User.objects.filter(**SCALE_USERS)
    assert people.count() == sizes.learners + sizes.reviewers + 4
    assert District.objects.filter(slug__startswith="scale-").count() == sizes.districts
    for model, count in (
        (PathwayPage, sizes.pathways),
        (MicroCredentialPage, sizes.micro_credentials),
        (BookPage, sizes.books),
    ):
        pages = model.objects.live().filter(slug__startswith="scale-")
        assert pages.count() == count
        assert all(page.live_revision_id for page in pages)
    assert Submission.objects.filter(learner__in=people).count() == (
        sizes.submissions + REVIEWER_OPEN
    )
    assertions = Assertion.objects.filter(recipient__in=people)
    assert assertions.count() == sizes.assertions + HEAVY_BADGES
    assert StatusListEntry.objects.filter(assertion__in=assertions).count() == assertions.count()
    badge_credit = CreditEntry.objects.filter(user__in=people, source=CreditEntry.Source.BADGE)
    assert badge_credit.count() == assertions.count()
    assert Cohort.objects.filter(district__slug__startswith="scale-").count() == sizes.cohorts + 1

    # The heavy learner.
    heavy = named("heavy")
    enrolments = Enrolment.objects.filter(user=heavy)
    assert enrolments.count() == HEAVY_ENROLMENTS
    assert enrolments.filter(completed_at__isnull=False).exists()
    assert enrolments.filter(completed_at__isnull=True, steps__isnull=False).exists()
    assert StepProgress.objects.filter(enrolment__user=heavy, completed_at__isnull=False).exists()
    assert Assertion.objects.live().filter(recipient=heavy).count() == HEAVY_BADGES
    assert SelfAssessment.objects.filter(user=heavy, completed_at__isnull=False).count() == 1
    assert PlanItem.objects.filter(user=heavy).count() == HEAVY_PLAN_ITEMS

    # The reviewer: exactly the open work planned, across the micro-credentials.
    reviewer = named("reviewer")
    open_reviews = Review.objects.filter(reviewer=reviewer, state=Review.State.ASSIGNED)
    assert open_reviews.count() == REVIEWER_OPEN
    assert not open_reviews.exclude(decision="").exists()
    assert (
        open_reviews.values("submission__micro_credential").distinct().count()
        == sizes.micro_credentials
    )
    assert {r.submission.state for r in open_reviews.select_related("submission")} == {
        Submission.State.IN_REVIEW
    }

    # The district admin runs the largest district.
    admin = named("district-admin")
    district = Membership.objects.get(user=admin, role=Membership.Role.DISTRICT_ADMIN).district
    largest = (
        District.objects.filter(slug__startswith="scale-")
        .annotate(people=Count("memberships"))
        .order_by("-people")
        .first()
    )
    assert district == largest
    open_invitations = Invitation.objects.filter(
        district=district, accepted_at__isnull=True, revoked_at__isnull=True
    )
    assert open_invitations.count() == BIG_DISTRICT_INVITATIONS

    # The lead leads the pool whose decided reviews the lead report reads.
    lead = named("lead")
    membership = PoolMember.objects.get(user=lead)
    assert membership.is_lead and membership.is_active
    assert Review.objects.filter(state=Review.State.COMPLETED).exclude(decision="").exists()

    # The big book club.
    club = Cohort.objects.get(title__startswith="scale-cohort-big")
    assert club.members.filter(role=CohortMember.Role.MEMBER).count() == BIG_COHORT_MEMBERS
    assert club.members.filter(role=CohortMember.Role.FACILITATOR).count() == 1
    assert club.sessions.count() == BIG_COHORT_SESSIONS
    assert Post.objects.filter(session__cohort=club).count() == BIG_COHORT_POSTS
    assert Attendance.objects.filter(session__cohort=club).exists()

    # What the benchmarks read.
    written = json.loads(output.read_text())
    assert written["users"]["heavy"] == {"id": heavy.pk, "email": heavy.email}
    assert written["district"]["slug"] == district.slug
    assert written["cohort"]["id"] == club.pk
    urls = written["urls"]
    assert {"pathway", "micro_credential", "book", "assertion", "district", "cohort"} <= set(urls)

    # The screens answer.
    client.force_login(heavy)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    heavy_badge = Assertion.objects.filter(recipient=heavy).select_related("badge_class").first()
    assert heavy_badge.badge_class.name in dashboard.content.decode()
    for url in (urls["pathway"], urls["micro_credential"], urls["book"], urls["cohort"]):
        assert client.get(url).status_code == 200, url
    client.force_login(reviewer)
    assert client.get("/review/").status_code == 200
    client.force_login(lead)
    assert client.get("/review/lead/reports/").status_code == 200
    client.force_login(admin)
    assert client.get(f"/district/{district.slug}/").status_code == 200

    # One seeded assertion's public JSON renders, and verifies against its recipient.
    client.logout()
    uuid = urls["assertion"].rsplit("/", 1)[-1]
    answer = client.get(f"/public/assertions/{uuid}", headers={"Accept": "application/ld+json"})
    assert answer.status_code == 200
    body = answer.json()
    assertion = Assertion.objects.get(uuid=uuid)
    assert assertion.recipient == heavy
    assert body["recipient"]["identity"] == identity_hash(heavy.email, body["recipient"]["salt"])
    badge = client.get(body["badge"], headers={"Accept": "application/ld+json"})
    assert badge.status_code == 200 and badge.json()["name"] == assertion.badge_class.name


def assert_rollups_summed_and_kept():
    """The roll-ups the seed summed at its end (its triggers off while it wrote) hold what
    summing their tables afresh gives, and their triggers are back in place."""

    def rows(model) -> set:  # without the key; sums of seconds to the millisecond
        return {
            tuple(round(v, 3) if isinstance(v, float) else v for v in row[1:])
            for row in model.objects.values_list()
        }

    rollups = [(rollup, ActivityYear) for rollup in ACTIVITY_YEARS]
    groups = [(DISTRICT_ACTIVITY, DistrictActivityYear), (DISTRICT_BADGES, DistrictBadgeCount)]
    decided = [(DECISION_YEARS, DecisionYear), (DISTRICT_DECISIONS, DistrictDecisionYear)]
    for rollup, model in [*rollups, *groups, *decided]:
        if isinstance(rollup, GroupRollup):
            # Summing the people's roll-ups again (above) added their changes as rows.
            rollup.compact()
            assert rollup.drift() == 0, model
        summed = rows(model)
        assert summed, model
        assert rollup.sync() is False  # in step: triggers as the settings make them
        assert rollup.sync(rebuild=True) is True
        assert rows(model) == summed


def test_the_same_seed_makes_the_same_data_and_a_second_run_must_replace(tmp_path, settings):
    output = tmp_path / "scale.json"
    seed_scale(output)
    assert_rollups_summed_and_kept()
    first, written = digest(), output.read_text()
    counts = (User.objects.count(), Page.objects.count(), Assertion.objects.count())

    with pytest.raises(CommandError, match="--replace"):
        seed_scale(output)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):  # --replace deletes
        seed_scale(output, "--replace", allow_production=False)
    assert digest() == first
    assert (User.objects.count(), Page.objects.count(), Assertion.objects.count()) == counts
    assert output.read_text() == written

    printed = seed_scale(output, "--replace")
    assert "Replaced earlier scale data" in printed
    assert_rollups_summed_and_kept()
    assert digest() == first
    assert (User.objects.count(), Page.objects.count(), Assertion.objects.count()) == counts

    # The digest does read the data: one rating changed changes it.
    rating = Rating.objects.filter(assessment__user__email__startswith="scale-").first()
    Rating.objects.filter(pk=rating.pk).update(level=(rating.level + 1) % 4)
    assert digest() != first


def test_seed_scale_refuses_to_run_with_debug_off_unless_allowed(tmp_path, settings):
    settings.DEBUG = False
    output = tmp_path / "scale.json"
    users, pages = User.objects.count(), Page.objects.count()
    with pytest.raises(CommandError, match="with DEBUG off, pass --allow-production"):
        seed_scale(output, allow_production=False)
    assert (User.objects.count(), Page.objects.count()) == (users, pages)
    assert not User.objects.filter(**SCALE_USERS).exists()
    assert not output.exists()
