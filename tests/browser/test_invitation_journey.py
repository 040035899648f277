"""A district admin invites a teacher by e-mail; the teacher signs up from the link with the
address filled in, confirms it and is in the district without a join code; the admin sends
another invitation again and withdraws it; a facilitator lands on their district. Each
role lands where their work is. Every page is checked with axe; key screens are kept."""

import re
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import expect

from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from learning.models import Invitation, Membership
from tests.browser.helpers import assert_accessible, keep_screens, log_in, sign_in_here, visit
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    onboarded,
)

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+")
JOIN_LINK = re.compile(r"https?://[^\s]+(/join/[^\s]+)")


def join_link(message, base: str) -> str:
    return base + JOIN_LINK.search(message.body).group(1)


def heading(page):
    return page.get_by_role("heading", level=1)


def test_an_invited_teacher_joins_without_a_join_code(live_server, site, page, browser, mailoutbox):
    base = live_server.url
    district = DistrictFactory(name="Riverside Unified", slug="riverside")
    admin = onboarded(UserFactory(email="dana@riverside.example", display_name="Dana Okafor"))
    MembershipFactory(user=admin, district=district, role=Membership.Role.DISTRICT_ADMIN)

    # The admin invites a teacher from the district screen.
    log_in(page, base, admin.email)
    expect(heading(page)).to_have_text("Riverside Unified")
    assert_accessible(page, "district home")
    page.get_by_label("E-mail address").fill("noor@riverside.example")
    page.get_by_role("button", name="Send invitation", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to noor@riverside.example")
    [invitation_mail] = mailoutbox
    link = join_link(invitation_mail, base)

    # The teacher, in a browser of their own, opens the link and signs up.
    teacher = browser.new_page()
    teacher.set_default_timeout(15_000)
    visit(teacher, link, "invitation signed out")
    expect(heading(teacher)).to_have_text("Join Riverside Unified")
    teacher.get_by_role("link", name="Create your account").click()
    expect(teacher.get_by_label("Email")).to_have_value("noor@riverside.example")
    expect(teacher.get_by_text("You are invited to join Riverside Unified.")).to_be_visible()
    assert_accessible(teacher, "sign-up with invitation")
    keep_screens(teacher, "sign-up with invitation")
    teacher.get_by_label("Your name").fill("Noor Haddad")
    teacher.get_by_label("Password:", exact=True).fill("a-long-pass-phrase")
    teacher.get_by_label("Password (again)").fill("a-long-pass-phrase")
    teacher.get_by_role("button", name="Sign up").click()
    expect(heading(teacher)).to_have_text("Verify your address: check your e-mail")
    assert_accessible(teacher, "verification sent")

    confirmation = mailoutbox[-1]
    assert confirmation.to == ["noor@riverside.example"]
    assert "Hello from" not in confirmation.body
    visit(teacher, CONFIRM_LINK.search(confirmation.body).group(0), "confirm address")
    teacher.get_by_role("button", name="Confirm my address").click()

    # Confirming signs them in and brings them back: they are a member, no code asked.
    expect(heading(teacher)).to_have_text("You have joined Riverside Unified")
    expect(teacher.get_by_role("button", name="Log out")).to_be_visible()
    assert_accessible(teacher, "invitation joined")
    keep_screens(teacher, "invitation joined")
    teacher.get_by_role("link", name="Set up your profile").click()
    expect(
        teacher.get_by_text("You are a member of Riverside Unified: no join code needed.")
    ).to_be_visible()
    expect(teacher.get_by_label("District join code (optional)")).to_have_count(0)
    assert_accessible(teacher, "onboarding for a member")
    visit(teacher, link, "invitation revisited")
    expect(heading(teacher)).to_have_text("You have joined Riverside Unified")
    assert Membership.objects.get(user__email="noor@riverside.example").district == district

    # The admin invites someone else, sends it again (a new link), then withdraws it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="District").click()
    page.get_by_label("E-mail address").fill("sam@riverside.example")
    page.get_by_role("button", name="Send invitation", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to sam@riverside.example")
    first_link = join_link(mailoutbox[-1], base)
    # Ten minutes pass before a resend is allowed.
    Invitation.objects.filter(email="sam@riverside.example").update(
        sent_at=timezone.now() - timedelta(minutes=11)
    )
    page.get_by_role("button", name="Send again to sam@riverside.example").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation sent again to sam@riverside.example"
    )
    second_link = join_link(mailoutbox[-1], base)
    assert second_link != first_link
    invitations = page.get_by_role("region", name="Invitations waiting for an answer")
    expect(invitations.get_by_role("rowheader", name="sam@riverside.example")).to_be_visible()
    expect(invitations).to_contain_text("(2 times)")
    assert_accessible(page, "district invitations list")
    keep_screens(page, "district invitations list")
    # Sam opens the new link on a shared computer and looks at the sign-in page.
    shared = browser.new_page()
    shared.set_default_timeout(15_000)
    visit(shared, second_link, "invitation on a shared computer", screens=False)
    shared.get_by_role("link", name="Sign in to accept the invitation").click()
    note = shared.get_by_text("You are invited to join Riverside Unified.")
    expect(note).to_be_visible()
    assert_accessible(shared, "sign-in with invitation")
    keep_screens(shared, "sign-in with invitation")
    page.get_by_role("button", name="Withdraw the invitation to sam@riverside.example").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The invitation to sam@riverside.example is withdrawn"
    )
    expect(invitations.get_by_role("rowheader", name="sam@riverside.example")).to_have_count(0)
    assert_accessible(page, "district after withdrawing")
    # Withdrawn: the next person at that computer reads nothing about it.
    shared.reload()
    expect(heading(shared)).to_have_text("Sign in to Leap")
    expect(note).to_have_count(0)
    expect(shared.get_by_text("sam@riverside.example")).to_have_count(0)
    shared.close()

    stranger = browser.new_page()
    visit(stranger, second_link, "withdrawn invitation")
    expect(heading(stranger)).to_have_text("This invitation cannot be used")
    expect(stranger.get_by_text("Riverside Unified has withdrawn this invitation")).to_be_visible()
    visit(stranger, first_link, "replaced invitation")
    expect(stranger.get_by_text("This invitation link is not valid.")).to_be_visible()
    stranger.close()
    teacher.close()


def test_each_role_lands_where_their_work_is(live_server, site, page):
    base = live_server.url
    district = DistrictFactory(name="Riverside Unified", slug="riverside")
    pool = ReviewerPool.objects.create(name="All micro-credentials")

    def person(email, name, **membership):
        user = onboarded(UserFactory(email=email, display_name=name))
        if membership:
            MembershipFactory(user=user, district=district, **membership)
        return user

    learner = person("lee@riverside.example", "Lee Park", role=Membership.Role.LEARNER)
    facilitator = person("farah@riverside.example", "Farah Idowu", role=Membership.Role.FACILITATOR)
    admin = person("dana@riverside.example", "Dana Okafor", role=Membership.Role.DISTRICT_ADMIN)
    reviewer, lead = person("rae@leap.example", "Rae Kim"), person("lou@leap.example", "Lou Tran")
    pool_member_add(pool=pool, user=reviewer)
    pool_member_add(pool=pool, user=lead, is_lead=True)
    editor = person("eddie@leap.example", "Eddie Moss")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    newcomer = UserFactory(email="noor@riverside.example", display_name="Noor Haddad")

    landings = [
        # who, where they land, their screenshots, the menu items that are theirs
        (newcomer, "/welcome/", "landing newcomer", []),
        (learner, "/dashboard/", "landing learner", ["My submissions"]),
        (facilitator, "/district/riverside/", "facilitator district view", ["District"]),
        (admin, "/district/riverside/", "landing district admin", ["District"]),
        (reviewer, "/review/", "landing reviewer", ["Review"]),
        (lead, "/review/lead/", "landing lead", ["Review", "Lead tools"]),
        (editor, "/admin/", "landing editor", []),
    ]
    for user, path, screens, menu_items in landings:
        page.context.clear_cookies()
        if user == editor:  # the CMS has its own menu, without the site's "Log out"
            page.goto(base + "/accounts/login/")
            sign_in_here(page, user.email)
        else:
            log_in(page, base, user.email)
        expect(page).to_have_url(base + path)
        if user == editor:
            # Wagtail's message fades in (axe reads its colours mid-animation): check the
            # landing page itself once the message is shown and gone.
            page.reload()
        assert_accessible(page, f"{user.email} landing")
        keep_screens(page, screens)
        menu = page.get_by_role("navigation", name="Main")
        for item in menu_items:
            expect(menu.get_by_role("link", name=item, exact=True)).to_be_visible()
        if user == facilitator:
            expect(heading(page)).to_have_text("Riverside Unified")
            expect(page.get_by_role("cell", name="Facilitator").first).to_be_visible()
            expect(page.get_by_text(learner.email)).to_have_count(0)
            expect(page.get_by_role("button", name="Send invitation", exact=True)).to_have_count(0)
