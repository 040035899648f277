"""The plan lists each pathway or micro-credential once, and marks what is done: a badge
earned or a pathway completed reads as a symbol and a word."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cms.models import Framework
from learning import services
from learning.models import PlanItem

pytestmark = pytest.mark.django_db


def _assessed(user, level=1):
    framework = Framework.objects.get(code="ISTE-E")
    take = services.assessment_start(user=user, framework=framework)
    services.assessment_save(
        assessment=take,
        ratings={e.pk: (level, "") for e in services.assessable_elements(framework)},
        complete=True,
    )
    return take


def _titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(r'<h3 class="card__title">(.*?)</h3>', html, re.S)
    ]


def test_a_page_in_the_plan_is_not_recommended_again_on_the_plan(client, teacher, catalogue):
    """It was listed under "In my plan" and again under "Recommended for you"."""
    _assessed(teacher)
    client.force_login(teacher)
    before = _titles(client.get(reverse("learning:plan")).content.decode())
    assert "Using Classroom Data" in before
    client.post(reverse("learning:plan_add"), {"page": catalogue.data.pk, "source": "recommended"})
    html = client.get(reverse("learning:plan")).content.decode()
    titles = _titles(html)
    assert titles.count("Using Classroom Data") == 1
    assert len(titles) == len(set(titles)), titles
    in_plan = html.split('id="plan-heading"')[1].split("</section>")[0]
    assert "Using Classroom Data" in in_plan
    # What was listed after it moves up; the rest of the recommendations stay.
    assert set(before) - {"Using Classroom Data"} <= set(titles)


def test_a_page_goes_in_the_plan_once_however_it_is_added(client, teacher, catalogue):
    _assessed(teacher)
    client.force_login(teacher)
    for source in ("chosen", "recommended", "chosen"):
        client.post(reverse("learning:plan_add"), {"page": catalogue.pathway.pk, "source": source})
    assert PlanItem.objects.filter(user=teacher, page=catalogue.pathway).count() == 1
    # The database refuses a second row too, whatever code tries.
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.create(user=teacher, page=catalogue.pathway, source="chosen")


def test_the_plan_marks_an_earned_badge_and_a_completed_pathway(client, teacher, catalogue):
    for page in (catalogue.data, catalogue.design, catalogue.pathway):
        services.plan_add(user=teacher, page=page, source="chosen")
    services.badge_earned(
        user=teacher,
        micro_credential_id=catalogue.data.pk,
        title=catalogue.data.title,
        hours=3,
        earned_on=timezone.localdate(),
        key="badge-data",
    )
    client.force_login(teacher)
    html = client.get(reverse("learning:plan")).content.decode()

    def item(title):
        return re.sub(r"\s+", " ", html.split(f">{title}</a></h3>")[1].split("</li>")[0])

    assert '<span aria-hidden="true">✓</span> Earned' in item("Using Classroom Data")
    assert "Earned" not in item("Designing Learning")
    assert "Completed" not in item("Data in the Classroom")

    enrolment = services.enrolment_enrol(user=teacher, pathway=catalogue.pathway)
    for step in catalogue.pathway.steps:
        if step.block_type in ("read", "discuss"):
            services.step_update(enrolment=enrolment, step_id=step.id, done=True)
        elif step.block_type == "reflect":
            services.step_update(
                enrolment=enrolment, step_id=step.id, done=True, reflection="Exit tickets."
            )
    enrolment.refresh_from_db()
    assert enrolment.is_complete
    html = client.get(reverse("learning:plan")).content.decode()
    assert '<span aria-hidden="true">✓</span> Completed' in item("Data in the Classroom")
    dashboard = client.get(reverse("learning:dashboard")).content.decode()
    summary = dashboard.split('id="plan-heading"')[1].split("</section>")[0]
    assert summary.count("✓</span> Earned") == 1 and summary.count("✓</span> Completed") == 1


def test_the_plan_builds_only_the_pages_it_recommends_however_many_are_candidates(
    client, teacher, catalogue
):
    """Every published pathway and micro-credential is a candidate, but only the ten
    recommended become page objects (a page with its body and rubric is most of what a
    candidate cost): the plan once built all of them on every view."""
    from cms.models import MicroCredentialAlignment, MicroCredentialPage, PathwayPage
    from tests.costs import pages_built
    from tests.factories import MicroCredentialPageFactory, align

    parent = catalogue.data.get_parent()
    for n in range(15):
        extra = MicroCredentialPageFactory(parent=parent, title=f"Extra {n:02}", pd_hours=1)
        align(MicroCredentialAlignment, extra, ["2.7"])
    _assessed(teacher)
    client.force_login(teacher)
    with pages_built(PathwayPage, MicroCredentialPage) as built:
        html = client.get(reverse("learning:plan")).content.decode()
    shown = _titles(html)
    assert len(shown) == 10  # the plan is empty: ten recommendations
    assert sum(1 for title in shown if title.startswith("Extra")) >= 5
    assert len(built) == len(shown)
