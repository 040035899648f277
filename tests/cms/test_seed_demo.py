import datetime as dt
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.models import GroupPagePermission, Page, Revision, Site, WorkflowPage

from accounts.demo import DEMO_ACCOUNTS, DEMO_TOTP_SECRET, demo_code
from accounts.models import Notification, User
from cms.models import (
    BookPage,
    FrameworkElement,
    HomePage,
    MicroCredentialPage,
    PathwayPage,
)
from cms.validators import badge_image_problem
from credentials.models import (
    Artifact,
    PoolMember,
    Review,
    ReviewerPool,
    Submission,
)
from learning.demo_cohort import FINISHED_TITLE, RUNNING_TITLE
from learning.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortMessage,
    CohortSession,
    CreditEntry,
    Enrolment,
    Membership,
    PlanItem,
    Post,
    Rating,
    Rsvp,
    SelfAssessment,
    StepProgress,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "pages": sorted(Page.objects.values_list("url_path", "content_type__model")),
        "users": sorted(User.objects.values_list("email", "display_name", "is_superuser")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "sites": list(Site.objects.values_list("root_page__url_path", "is_default_site")),
        "images": sorted(Image.objects.values_list("title", flat=True)),
        "revisions": Revision.objects.count(),
        "groups": sorted(Group.objects.values_list("name", "permissions__codename")),
        "page_permissions": GroupPagePermission.objects.count(),
        "workflow_pages": sorted(WorkflowPage.objects.values_list("page__slug", "workflow__name")),
        "frameworks": FrameworkElement.objects.count(),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "district__slug", "role")
        ),
        "learning": [
            SelfAssessment.objects.count(),
            Rating.objects.count(),
            Enrolment.objects.count(),
            StepProgress.objects.count(),
            PlanItem.objects.count(),
            CreditEntry.objects.count(),
        ],
        "pools": sorted(
            PoolMember.objects.values_list("pool__name", "user__email", "is_lead", "is_active")
        ),
        "submissions": sorted(
            Submission.objects.values_list("learner__email", "micro_credential__slug", "state")
        ),
        "cohorts": [
            sorted(Cohort.objects.values_list("title", "status")),
            sorted(CohortMember.objects.values_list("cohort__title", "user__email", "state")),
            CohortSession.objects.count(),
            Post.objects.count(),
            Attendance.objects.count(),
            Rsvp.objects.count(),
            CohortMessage.objects.count(),
        ],
        "review": [
            ReviewerPool.objects.count(),
            Review.objects.count(),
            Artifact.objects.count(),
            Notification.objects.count(),
        ],
    }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_site(settings):
    settings.DEBUG = True
    first_output = seed()
    first = snapshot()
    second_output = seed()
    assert snapshot() == first
    assert first_output == second_output

    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert first["sites"] == [("/home/", True)]


@pytest.mark.django_db
def test_the_demo_catalogue_is_complete(settings):
    settings.DEBUG = True
    seed()
    assert PathwayPage.objects.live().count() >= 3
    assert BookPage.objects.live().count() >= 2
    credentials = MicroCredentialPage.objects.live()
    assert credentials.count() >= 6
    frameworks = set()
    for page in credentials:
        assert len(page.requirements) >= 1 and len(page.rubric) >= 1, page
        assert badge_image_problem(page.badge_image) is None, page
        frameworks |= {element.framework.code for element in page.aligned_elements}
    assert len(frameworks) >= 3
    step_kinds = {step.block_type for page in PathwayPage.objects.all() for step in page.steps}
    assert step_kinds == {"read", "watch", "do", "reflect", "discuss", "micro_credential"}
    for section in ("pathways", "micro-credentials", "books"):
        page = Page.objects.get(slug=section)
        assert page.get_workflow().name == "Editor → Content reviewer → published"
    assert (
        User.objects.get(email="content-reviewer@leap.example")
        .groups.filter(name="Content reviewers")
        .exists()
    )
    assert User.objects.get(email="editor@leap.example").groups.filter(name="Editors").exists()


@pytest.mark.django_db
def test_every_role_gets_a_verified_account_that_can_log_in(settings, client):
    settings.DEBUG = True
    output = seed()
    roles = {role for role, *_ in DEMO_ACCOUNTS}
    assert roles == {
        "learner",
        "reviewer",
        "lead reviewer",
        "content editor",
        "content reviewer",
        "district admin",
        "facilitator",
        "superuser",
    }
    assert f"add the key {DEMO_TOTP_SECRET} to an" in output
    for role, email, _name, password in DEMO_ACCOUNTS:
        assert f"{email}  /  {password}" in output
        assert EmailAddress.objects.get(email=email).verified
        response = client.post("/accounts/login/", {"login": email, "password": password})
        assert response.status_code == 302, role
        if role in ("learner", "facilitator"):
            assert response["Location"] != "/accounts/2fa/authenticate/", role
        else:
            # Staff give the demo's authenticator code (manage.py demo_code) as well.
            assert response["Location"] == "/accounts/2fa/authenticate/", role
            response = client.post(response["Location"], {"code": demo_code()})
            assert response.status_code == 302 and "/accounts/" not in response["Location"]
            assert client.get(response["Location"]).status_code in (200, 302), role
        client.logout()

    assert User.objects.get(email="admin@leap.example").is_superuser
    editor = User.objects.get(email="editor@leap.example")
    assert editor.has_perm("wagtailadmin.access_admin")
    assert not User.objects.get(email="learner@leap.example").has_perm("wagtailadmin.access_admin")


@pytest.mark.django_db
def test_seed_demo_keeps_an_editors_changes(settings):
    settings.DEBUG = True
    seed()
    home = HomePage.objects.get()
    home.title = "Our district's Leap"
    home.save_revision().publish()
    seed()
    assert HomePage.objects.get().title == "Our district's Leap"


@pytest.mark.django_db
def test_seed_demo_refuses_to_publish_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_learner_is_part_way_through_her_plan(settings):
    from learning import selectors

    settings.DEBUG = True
    output = seed()
    assert "join code LEAPDEMO" in output
    maya = User.objects.get(email="learner@leap.example")
    assert not selectors.needs_onboarding(user=maya)
    [view] = selectors.enrolment_list(user=maya)
    # Two steps read and watched, and the badge step done by the demo badge.
    assert view.progress.done == 3 and not view.enrolment.is_complete
    # Her badge, and one earned elsewhere that Leap verified (the demo district counts them).
    assert [e.source for e in CreditEntry.objects.filter(user=maya)] == ["badge", "external"]
    assert "demo badge earned elsewhere: “Digital Citizenship Coach” (Verified)" in output
    assert selectors.assessment_latest_list(user=maya)[0].framework.code == "CTO"


@pytest.mark.django_db
def test_the_demo_reviewer_has_mayas_submission_in_the_queue(settings):
    settings.DEBUG = True
    output = seed()
    assert "demo submission" not in output  # made without a problem
    sam = User.objects.get(email="reviewer@leap.example")
    rosa = User.objects.get(email="lead@leap.example")
    assert not Membership.objects.filter(user__in=[sam, rosa]).exists()
    pool = ReviewerPool.objects.get(name="All micro-credentials", micro_credential=None)
    members = {m.user: m for m in pool.members.all()}
    assert set(members) == {sam, rosa}
    assert members[rosa].is_lead and not members[sam].is_lead
    assert all(m.is_active for m in members.values())
    # The lead marked an exemplar; the demo reviewer has not scored it, so he starts with
    # calibration (and keeps Maya's review, assigned before it).
    [exemplar] = pool.exemplars.all()
    assert exemplar.marked_by == rosa and exemplar.submission.state == "not_yet"
    calibrated = set(
        PoolMember.objects.calibrated().filter(pool=pool).values_list("user", flat=True)
    )
    assert calibrated == {rosa.pk}

    [submission] = Submission.objects.filter(learner__email="learner@leap.example")
    assert submission.micro_credential.slug == "one-to-one-readiness-review"
    assert submission.state == Submission.State.IN_REVIEW
    assert {a.is_link for a in submission.artifacts.all()} == {True, False}
    [review] = submission.reviews.all()
    assert review.reviewer == sam and review.state == Review.State.ASSIGNED
    assert Notification.objects.filter(user=sam, url=f"/review/{review.pk}/").exists()


@pytest.mark.django_db
def test_the_demo_has_a_running_book_club_in_which_one_member_completed(settings, client):
    settings.DEBUG = True
    seed()
    running = Cohort.objects.get(title=RUNNING_TITLE, district__slug="riverside")
    assert running.status == Cohort.Status.OPEN and running.book.slug == "the-quiet-rollout"
    held, ahead = club_meetings(running, timezone.now())
    assert (len(held), len(ahead)) == (4, 2)
    places = dict(running.members.values_list("user__email", "role"))
    assert places["facilitator@leap.example"] == CohortMember.Role.FACILITATOR
    assert places["learner@leap.example"] == CohortMember.Role.MEMBER
    assert len(places) >= 5
    assert Attendance.objects.filter(session__in=held).exists()
    assert Rsvp.objects.filter(session__in=held).exists()
    assert Post.objects.filter(session__cohort=running, parent__isnull=False).exists()
    assert running.sessions.exclude(summary="").exists() and running.messages.exists()
    # Jordan met the rule (four of six meetings, posts, a synthesis) before the last two.
    [done] = running.members.filter(state=CohortMember.State.COMPLETED)
    assert done.user.display_name == "Jordan Ellis" and done.completed_at < ahead[0].starts_at
    [credit] = CreditEntry.objects.filter(user=done.user)
    assert (credit.source_key, credit.hours) == (f"cohort:{running.pk}", Decimal("6.0"))
    finished = Cohort.objects.get(title=FINISHED_TITLE)
    assert finished.status == Cohort.Status.FINISHED
    [earlier] = finished.members.filter(state=CohortMember.State.COMPLETED)
    assert CreditEntry.objects.get(user=earlier.user, source_key=f"cohort:{finished.pk}").hours > 0
    assert_maya_sees_the_running_club(client, running)


def club_meetings(cohort, now) -> tuple[list, list]:
    sessions = list(cohort.sessions.order_by("starts_at"))
    return [s for s in sessions if s.starts_at < now], [s for s in sessions if s.starts_at > now]


def assert_maya_sees_the_running_club(client, running) -> None:
    """The demo learner has a meeting to answer for, her progress with her synthesis still
    to write, the facilitator's messages and summaries."""
    assert client.login(email="learner@leap.example", password="demo-learner-pass")
    html = client.get(f"/book-clubs/{running.pk}/").content.decode()
    client.logout()
    assert "This week" in html and "Are you coming to “Chapter 5" in html
    assert "Come to 4 of the 6 meetings: 4 so far." in html
    assert "Not written yet: post it in a meeting's discussion" in html
    assert "Messages from your facilitator" in html and "The facilitator's summary" in html
    assert "(3 posts)" in html  # the first meeting's discussion


@pytest.mark.django_db
def test_seeding_again_weeks_later_keeps_the_club_running(settings, client, monkeypatch):
    settings.DEBUG = True
    seed()
    running = Cohort.objects.get(title=RUNNING_TITLE)
    zone = ZoneInfo(running.time_zone)
    first = {s.number: s.starts_at for s in running.sessions.all()}
    counts = snapshot()["cohorts"]
    jordan = User.objects.get(email="jordan.ellis@riverside.example")
    earned = CreditEntry.objects.get(user=jordan).earned_on

    # Five and a half weeks on, nobody has touched the demo: seed_demo runs again.
    later = timezone.now() + dt.timedelta(weeks=5, days=3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    seed()
    assert snapshot()["cohorts"] == counts  # moved, nothing added or lost
    held, ahead = club_meetings(running, later)
    assert (len(held), len(ahead)) == (4, 2)
    moved = {s.number: s.starts_at for s in running.sessions.all()}
    weeks = (moved[1] - first[1]).days // 7
    assert weeks in (5, 6)  # the next meeting was two to six days ahead
    for number, starts_at in moved.items():
        local, before = starts_at.astimezone(zone), first[number].astimezone(zone)
        assert (local.date() - before.date()).days == 7 * weeks, number
        assert (local.time(), local.weekday()) == (before.time(), before.weekday())
    # What happened stayed with its meeting; the held ones still have their attendance.
    assert all(s.attendance.exists() for s in held) and not any(
        s.attendance.exists() for s in ahead
    )
    for post in Post.objects.filter(session__cohort=running).select_related("session"):
        assert post.session.starts_at < post.created_at < later
    # Jordan is still completed, with his credit once, dated with the club.
    place = running.members.get(user=jordan)
    assert place.state == CohortMember.State.COMPLETED and place.completed_at < ahead[0].starts_at
    [credit] = CreditEntry.objects.filter(user=jordan)
    assert credit.hours == Decimal("6.0") and credit.earned_on == earned + dt.timedelta(weeks=weeks)
    assert_maya_sees_the_running_club(client, running)

    # Seeding again the same day changes nothing.
    seed()
    assert {s.number: s.starts_at for s in running.sessions.all()} == moved


@pytest.mark.django_db
def test_the_demo_districts_insights_have_a_trend_and_a_heatmap(settings, client):
    from cms.models import Framework
    from learning.insights import coverage_get, dashboard_get
    from learning.models import District
    from learning.selectors import school_year_start

    settings.DEBUG = True
    seed()
    district = District.objects.get(slug="riverside")
    dashboard = dashboard_get(district=district, year_start=school_year_start(timezone.localdate()))
    figures = {figure.label: (figure.now, figure.before) for figure in dashboard.figures}
    # Maya, Luis, Hannah, Jordan's and Amira's second takes and the fifteen teachers'; last
    # year four takes.
    assert figures["Self-assessments finished"] == (20, 4)
    coverage = coverage_get(district=district, framework=Framework.objects.get(code="CTO"))
    privacy = next(row for row in coverage.elements if row.element.code == "CTO-10")
    # Seven people rated it, each by their latest take (Jordan's "1", not his earlier "0"):
    # Maya and Luis at 0; Jordan, Priya and Tom at 1; Amira and Hannah at 2.
    assert privacy.shown and privacy.counts == [2, 3, 2, 0]
    assert privacy.badges == 1  # Maya's Student Data Privacy Inventory
    # The teachers' ISTE Educators takes, school by school: Oak Street strong on 2.3
    # (Citizen), Lincoln Middle's three too few to show.
    by_school = coverage_get(
        district=district, framework=Framework.objects.get(code="ISTE-E"), compare="school"
    ).comparison
    assert [group.label for group in by_school.groups] == [
        "Lincoln Middle School",
        "Oak Street Elementary",
        "Riverside High School",
        "No school",
    ]
    citizen = next(row for row in by_school.rows if row.element.code == "2.3").groups
    assert not citizen[0].shown and citizen[1].counts == [0, 0, 1, 5] and citizen[2].shown
    client.force_login(User.objects.get(email="district-admin@leap.example"))
    page = client.get("/district/riverside/insights/").content.decode()
    assert '<span class="stat__number">20</span>' in page
    # Two finished rounds of the district rating itself, side by side.
    compare = client.get("/district/riverside/insights/institution/compare/?framework=DL")
    html = compare.content.decode()
    assert "Spring review, last school year" in html and "Autumn review" in html
