"""A teacher rates herself reading what each level looks like, reads her results as a chart
and a table, keeps a plan that lists each page once and marks what she earned, and finds
her submission in review with the day a decision is due on her dashboard."""

from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from learning import services
from tests.browser.helpers import log_in, visit
from tests.credentials.test_evidence import submitted
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    learning_catalogue,
    onboarded,
)


class _RunNow:
    """Stands in for django_capture_on_commit_callbacks: on a live server's database,
    work queued after commit runs when the service commits."""

    def __call__(self, execute=True):
        return self

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False


def test_a_teacher_rates_herself_reads_her_results_plan_and_submissions(live_server, site, page):
    catalogue = learning_catalogue(site)
    teacher = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    MembershipFactory(user=teacher, district=DistrictFactory(time_zone="America/Los_Angeles"))
    pool = ReviewerPool.objects.create(name="All micro-credentials")
    pool_member_add(pool=pool, user=UserFactory(email="sam@reviewers.example"))
    submission = submitted(teacher, catalogue.data, execute=_RunNow())
    due = submission.reviews.get().due_at.astimezone(ZoneInfo("America/Los_Angeles"))
    services.plan_add(user=teacher, page=catalogue.design, source="chosen")
    services.badge_earned(
        user=teacher,
        micro_credential_id=catalogue.design.pk,
        title=catalogue.design.title,
        hours=5,
        earned_on=timezone.localdate(),
        key="badge-design",
    )
    base = live_server.url
    log_in(page, base, "ana@school.example")

    # The self-assessment: each level says what it looks like for this element.
    visit(page, base + "/my/self-assessment/")
    page.get_by_role("button", name="Rate yourself on ISTE Standards for Educators").click()
    analyst = page.get_by_role("group", name="2.7 Analyst")
    expect(analyst).to_contain_text("Which of these is closest to your practice today?")
    expect(analyst.get_by_label("You rarely use data to guide your teaching.")).to_be_visible()
    expect(analyst.get_by_label("2 · Established")).to_have_accessible_name(
        "2 · Established You use several kinds of assessment data to adjust teaching and "
        "give feedback."
    )
    citizen = page.get_by_role("group", name="2.3 Citizen")
    expect(citizen).to_contain_text("You cover online safety now and then, usually as rules.")
    visit(page, page.url, "self-assessment-form", screens=True)
    # Rated by keyboard for one element, by pointer for the rest.
    analyst.get_by_label("0 · Not evident").focus()
    page.keyboard.press("Space")
    expect(analyst.get_by_label("0 · Not evident")).to_be_checked()
    for group in page.get_by_role("group").all():
        if "Analyst" not in group.locator("legend").inner_text():
            group.get_by_label("2 · Established").check()
    page.get_by_role("button", name="Finish and see recommendations").click()

    # Results: a chart and the table with the same numbers, explained in plain words.
    chart = page.get_by_role("figure", name="Your ratings against your target of 3")
    expect(chart.get_by_role("img", name="Analyst: 0 of 3, Not evident; target 3")).to_be_visible()
    expect(chart.get_by_role("img", name="Designer: 2 of 3, Established; target 3")).to_be_visible()
    expect(chart).to_contain_text("0 Not evident · 3 below target")
    table = page.get_by_role("table", name="The numbers in the chart above")
    expect(table.get_by_role("row", name="2.7 Analyst")).to_contain_text("0")
    expect(page.get_by_text("gap closed per hour")).to_have_count(0)
    expect(page.get_by_role("region", name="Recommended for you")).to_contain_text(
        "what helps most with the areas you rated furthest below your target"
    )
    visit(page, page.url, "self-assessment-results", screens=True)
    page.get_by_role("region", name="Recommended for you").get_by_role("listitem").filter(
        has_text="Data in the Classroom"
    ).get_by_role("button", name="Add to my plan").click()

    # The plan: each page once, and what is earned marked with a symbol and a word.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My plan").click()
    in_plan = page.get_by_role("region", name="In my plan")
    expect(in_plan.get_by_role("listitem").filter(has_text="Designing Learning")).to_contain_text(
        "✓ Earned"
    )
    expect(in_plan).to_contain_text("Data in the Classroom")
    expect(page.get_by_role("heading", name="Data in the Classroom")).to_have_count(1)
    expect(page.get_by_role("heading", name="Designing Learning")).to_have_count(1)
    visit(page, page.url, "plan", screens=True)

    # The dashboard: the submission in review and the day a decision is due.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    submissions = page.get_by_role("region", name="My submissions")
    row = submissions.get_by_role("listitem").filter(has_text="Using Classroom Data")
    expect(row).to_contain_text("In review")
    expect(row).to_contain_text(f"Decision due by {due:%a} {due.day} {due:%b}")
    expect(submissions.get_by_role("link", name="Using Classroom Data")).to_have_attribute(
        "href", f"/my/submissions/{submission.pk}/"
    )
    visit(page, page.url, "dashboard", screens=True)
