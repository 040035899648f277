"""axe-core (bundled, offline) finds no accessibility violations on the public screens, and
the navigation works on a phone with the keyboard."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.browser.helpers import keep_screens, sign_in_here
from tests.factories import (
    FrameworkIndexPageFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    PathwayIndexPageFactory,
    PathwayPageFactory,
    UserFactory,
)

PHONE = {"width": 390, "height": 844}
PUBLIC_PATHS = [
    "/",
    "/about/",
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
]


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def test_public_screens_have_no_axe_violations(live_server, site, page):
    pathways = PathwayIndexPageFactory(parent=site)
    pathway = PathwayPageFactory(parent=pathways, title="Leading a 1:1 programme")
    FrameworkIndexPageFactory(parent=site)
    extra = [pathways.url, pathway.url, "/frameworks/", "/frameworks/DL/", "/search/?q=leading"]
    for path in PUBLIC_PATHS + extra:
        page.goto(live_server.url + path)
        assert violations(page) == [], path


def test_signed_in_screens_have_no_axe_violations(live_server, site, page):
    maya = UserFactory(email="maya@school.example", display_name="Maya Torres")
    index = MicroCredentialIndexPageFactory(parent=site)
    badge_class = badge_class_for_micro_credential(
        page=MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    )
    assertion = assertion_award(recipient=maya, badge_class=badge_class, notify=False)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("maya@school.example")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Maya Torres")).to_be_visible()
    assert violations(page) == [], "home page with the signed-in message"
    for path in [
        "/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/my/badges/",
        f"/public/assertions/{assertion.uuid}",
        index.url,
    ]:
        page.goto(live_server.url + path)
        assert violations(page) == [], path


def test_on_a_phone_the_menu_opens_and_closes_from_the_keyboard(live_server, site, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Menu")
    signup = page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(signup).to_be_hidden()

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(signup).to_be_visible()

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(live_server, site, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_learning_screens_have_no_axe_violations(live_server, site, page):
    from cms.models import Framework
    from integrations.services import api_token_create
    from integrations.webhooks import webhook_endpoint_create
    from learning import services
    from tests.factories import DistrictFactory, MembershipFactory, learning_catalogue, onboarded

    catalogue = learning_catalogue(site)
    ana = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    district = DistrictFactory(slug="riverside")
    membership = MembershipFactory(user=ana, district=district, role="district_admin")
    MembershipFactory(district=district)
    framework = Framework.objects.get(code="ISTE-E")
    finished = services.assessment_start(user=ana, framework=framework)
    services.assessment_save(
        assessment=finished,
        ratings={e.pk: (1, "") for e in services.assessable_elements(framework)},
        complete=True,
    )
    for level in (0, 1, 1, 2, 3):  # enough colleagues for the heatmap to show its cells
        colleague = MembershipFactory(district=district).user
        take = services.assessment_start(user=colleague, framework=framework)
        services.assessment_save(
            assessment=take,
            ratings={e.pk: (level, "") for e in services.assessable_elements(framework)},
            complete=True,
        )
    _, shared_token = services.shared_report_create(
        district=district,
        kind="coverage",
        filters={"framework": "ISTE-E"},
        title="ISTE Educators coverage",
        days=7,
        created_by=ana,
    )
    system = Framework.objects.get(code="EC2")
    finished_round = services.institutional_assessment_start(
        district=district, framework=system, title="Spring review", created_by=ana
    )
    services.institutional_assessment_save(
        assessment=finished_round,
        ratings={e.pk: (1, "Our evidence") for e in services.assessable_elements(system)},
        team_ids=[ana.pk],
        complete=True,
    )
    open_round = services.institutional_assessment_start(
        district=district, framework=system, title="Autumn review", created_by=ana
    )
    api_token_create(
        district=district, name="SIS nightly", scopes=["members"], days=90, created_by=ana
    )
    draft = services.assessment_start(user=ana, framework=framework)
    services.plan_add(user=ana, page=catalogue.data, source="chosen")
    services.enrolment_enrol(user=ana, pathway=catalogue.pathway)
    assertion_award(
        recipient=ana, badge_class=badge_class_for_micro_credential(page=catalogue.design)
    )
    hook, _ = webhook_endpoint_create(  # after the award: nothing is sent to it
        district=district, url="http://127.0.0.1:9/hook", events=["badge.awarded"], created_by=ana
    )
    page.goto(live_server.url + "/accounts/login/")
    sign_in_here(page, "ana@school.example", "correct-horse-battery")
    # A district admin lands on their district; the learner's screens are a click away.
    expect(page).to_have_url(live_server.url + "/district/riverside/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    for path in [
        "/dashboard/",
        "/welcome/",
        "/join/",
        "/my/self-assessment/",
        f"/my/self-assessment/{draft.pk}/",
        f"/my/self-assessment/{finished.pk}/results/",
        "/my/plan/",
        "/my/transcript/",
        catalogue.pathway.url,
        catalogue.data.url,
        "/district/riverside/",
        "/district/riverside/issuer/",
        f"/district/riverside/members/{membership.pk}/",
        "/district/riverside/insights/",
        "/district/riverside/insights/coverage/?framework=ISTE-E",
        "/district/riverside/insights/coverage/?framework=ISTE-E&compare=role",
        "/district/riverside/insights/coverage/people/?framework=ISTE-E&element=2.1&level=1",
        f"/insights/shared/{shared_token}/",
        "/district/riverside/insights/institution/",
        f"/district/riverside/insights/institution/{finished_round.pk}/",
        f"/district/riverside/insights/institution/{open_round.pk}/",
        "/district/riverside/insights/institution/compare/?framework=EC2",
        "/district/riverside/?role=learner&active=true",
        "/district/riverside/api/",
        "/district/riverside/webhooks/",
        f"/district/riverside/webhooks/{hook.pk}/",
    ]:
        page.goto(live_server.url + path)
        assert violations(page) == [], path
    keep_screens(page, "district coverage heatmap")
    page.goto(
        live_server.url + "/district/riverside/insights/coverage/?framework=ISTE-E&compare=role"
    )
    keep_screens(page, "district coverage by role")
    page.goto(live_server.url + "/district/riverside/insights/")
    keep_screens(page, "district dashboard")
    page.goto(live_server.url + "/district/riverside/api/")
    keep_screens(page, "district API tokens")
    page.goto(live_server.url + "/district/riverside/webhooks/")
    keep_screens(page, "district webhooks")
    page.set_viewport_size(PHONE)
    for path in [
        "/dashboard/",
        f"/my/self-assessment/{draft.pk}/",
        "/my/transcript/",
        "/district/riverside/insights/coverage/?framework=ISTE-E&compare=role",
    ]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways on a phone"


def test_evidence_and_review_screens_have_no_axe_violations(live_server, site, page, tmp_path):
    from credentials.models import Review, ReviewerPool
    from credentials.requirements import requirements_of
    from credentials.services.evidence import (
        artifact_add_link,
        submission_save_answers,
        submission_start,
        submission_submit,
    )
    from credentials.services.review import pool_member_add
    from tests.factories import onboarded

    index = MicroCredentialIndexPageFactory(parent=site)
    badge = MicroCredentialPageFactory(parent=index, title="Data-Driven Instruction")
    learner = onboarded(UserFactory(email="ana@school.example"))
    lead = UserFactory(email="lead@reviewers.example")
    pool = ReviewerPool.objects.create(name="All")
    pool_member_add(pool=pool, user=lead, is_lead=True)
    ids = {r.kind: r.id for r in requirements_of(badge)}
    submission = submission_start(learner=learner, page=badge)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "x"})
    artifact_add_link(
        submission=submission, slot_id=ids["artifact"], url="https://example.org/plan"
    )
    draft_url = f"/my/submissions/{submission.pk}/"
    submission_submit(submission=submission, privacy_confirmed=True)
    review = Review.objects.get()

    def visit_as(email, paths):
        page.context.clear_cookies()
        page.goto(live_server.url + "/accounts/login/")
        sign_in_here(page, email, "correct-horse-battery")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        for path in paths:
            page.goto(live_server.url + path)
            assert violations(page) == [], path

    second = MicroCredentialPageFactory(parent=index, title="Second")
    open_draft = submission_start(learner=learner, page=second)
    visit_as(
        learner.email,
        [
            draft_url,
            f"/my/submissions/{open_draft.pk}/",
            "/my/submissions/",
            badge.url,
            "/notifications/",
            "/notifications/settings/",
        ],
    )
    visit_as(lead.email, ["/review/", f"/review/{review.pk}/", "/review/lead/"])


def test_the_menu_fits_one_row_on_a_laptop_for_someone_with_every_area(live_server, site, page):
    """A lead reviewer who also runs a district, facilitates a book club and edits content,
    with unread notices: their menu still sits on one row at 1280 px, and the unread count is
    read out in words."""
    from django.contrib.auth.models import Permission

    from accounts.services import notify
    from credentials.models import ReviewerPool
    from credentials.services.review import pool_member_add
    from learning.models import CohortMember, Membership
    from tests.browser.helpers import LAPTOP, keep_screens, log_in
    from tests.factories import DistrictFactory, MembershipFactory, onboarded
    from tests.learning.cohorts.factories import cohort_make

    person = onboarded(UserFactory(email="alex@leap.example", display_name="Alexandra Whitfield"))
    pool_member_add(pool=ReviewerPool.objects.create(name="All"), user=person, is_lead=True)
    riverside = DistrictFactory(slug="riverside")
    MembershipFactory(user=person, district=riverside, role=Membership.Role.DISTRICT_ADMIN)
    CohortMember.objects.create(
        cohort=cohort_make(district=riverside),
        user=person,
        role=CohortMember.Role.FACILITATOR,
    )
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for n in range(12):
        notify(user=person, message=f"Notice {n}", url="/review/")
    page.set_viewport_size(LAPTOP)
    log_in(page, live_server.url, person.email)
    page.goto(live_server.url + "/review/lead/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications (12 unread)")).to_be_visible()
    expect(nav.get_by_role("link", name="Book clubs")).to_be_visible()
    tops = nav.locator("a, button").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => Math.round(e.getBoundingClientRect().top))"
    )
    keep_screens(page, "menu with every area")
    assert len(tops) >= 10 and max(tops) - min(tops) < 12, tops
