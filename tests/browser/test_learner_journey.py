"""A new teacher's first session, as they would try it: sign up, join the district with its
join code, self-assess, read why things are recommended, accept one into the plan, enrol
in a pathway, complete a step and see the progress on the dashboard; on the way, filter the
catalogue by a framework element."""

import re

from playwright.sync_api import expect

from tests.factories import DistrictFactory, learning_catalogue

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+")


def test_a_new_teacher_gets_a_plan_and_makes_progress(live_server, site, page, mailoutbox):
    catalogue = learning_catalogue(site)
    DistrictFactory(name="Riverside Unified", slug="riverside", join_code="RIVER234")

    # Sign up and verify the address from the e-mail.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Ana Díaz")
    page.get_by_label("Email").fill("ana@school.example")
    page.get_by_label("Password:", exact=True).fill("a-long-pass-phrase")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign Up").click()
    page.goto(CONFIRM_LINK.search(mailoutbox[0].body).group(0))
    # Confirming the address signs her in: no second log-in.
    page.get_by_role("button", name="Confirm").click()

    # Onboarding: role and the district's join code, typed as people do.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Leap")
    expect(page.get_by_label("Your name")).to_have_value("Ana Díaz")
    page.get_by_label("Teacher").check()
    page.get_by_label("District join code (optional)").fill("river-234")
    page.get_by_role("button", name="Continue to the self-assessment").click()
    expect(page.get_by_role("status")).to_contain_text("You joined Riverside Unified.")

    # The framework suggested for a teacher, rated element by element.
    suggested = page.get_by_role("region", name="Suggested for your role")
    suggested.get_by_role("button", name="Rate yourself on ISTE Standards for Educators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ISTE Standards for Educators")
    for group in page.get_by_role("group").all():
        legend = group.locator("legend").inner_text()
        level = "0 · Not evident" if "Analyst" in legend else "2 · Established"
        group.get_by_label(level).check()
    page.get_by_role("button", name="Finish and see recommendations").click()

    # Recommendations say why; the first goes into the plan.
    recommendations = page.get_by_role("region", name="Recommended for you")
    first = recommendations.get_by_role("listitem").filter(has_text="Using Classroom Data")
    expect(first).to_contain_text("Analyst: you rated Not evident")
    first.get_by_role("button", name="Add to my plan").click()
    expect(page.get_by_role("status")).to_contain_text("“Using Classroom Data” is in your plan.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My plan").click()
    expect(page.get_by_role("region", name="In my plan")).to_contain_text("Using Classroom Data")

    # The catalogue filtered by one element: the choice shows the right micro-credentials,
    # and stays chosen in the filter when the page is loaded again.
    page.goto(live_server.url + catalogue.micro_credentials.url)
    element = page.get_by_role("combobox", name="Framework element")
    element.select_option(label="ISTE Educators: 2.5 Designer")
    page.get_by_role("button", name="Filter").click()
    cards = page.locator(".cards")
    expect(cards).to_contain_text("Designing Learning")
    expect(cards).not_to_contain_text("Using Classroom Data")
    page.reload()
    expect(element).to_have_value("2.5")
    expect(page.get_by_role("status")).to_contain_text("1 result")

    # Enrol in the pathway and complete its first step.
    page.goto(live_server.url + catalogue.pathway.url)
    page.get_by_role("button", name="Enrol in this pathway").click()
    expect(page.get_by_text("0 of 3 required steps done")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Mark as done\W+Read the guide$")).click()
    expect(page.get_by_text("1 of 3 required steps done")).to_be_visible()

    # The dashboard shows the progress and where to continue.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    in_progress = page.get_by_role("region", name="Pathways in progress")
    expect(in_progress).to_contain_text("Data in the Classroom")
    expect(in_progress).to_contain_text("1 of 3 required steps done")
    expect(in_progress.get_by_role("link", name=re.compile("Continue"))).to_contain_text(
        "What do you measure?"
    )
    framework_map = page.get_by_role("region", name="My framework map")
    expect(framework_map.get_by_role("row", name=re.compile("2.7 Analyst"))).to_contain_text(
        "Not evident"
    )
