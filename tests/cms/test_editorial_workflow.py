"""An editor writes a pathway, a content reviewer approves it, and it goes live: in the
listing, in search and in the framework explorer. Framework snippets go through the same
workflow."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import WorkflowContentType, WorkflowState

from cms.forms import CatalogueFilterForm
from cms.models import (
    Framework,
    FrameworkCategory,
    FrameworkElement,
    MicroCredentialAlignment,
    PathwayPage,
)
from cms.selectors import framework_explorer_get
from cms.services import (
    CONTENT_REVIEWERS_GROUP,
    EDITORIAL_WORKFLOW,
    EDITORS_GROUP,
    editorial_workflow_ensure,
)
from learning.selectors import recommendation_list
from learning.services import assessable_elements, assessment_save, assessment_start
from tests.cms.test_catalogue_pages import pathway_form_data
from tests.cms.test_frameworks import element_form
from tests.factories import MicroCredentialPageFactory, UserFactory, element, onboarded

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(sections):
    from django.contrib.auth.models import Group

    editorial_workflow_ensure(
        sections=[sections.pathways, sections.micro_credentials, sections.books]
    )
    editor = UserFactory(email="editor@district.example")
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    approver = UserFactory(email="approver@district.example")
    approver.groups.add(Group.objects.get(name=CONTENT_REVIEWERS_GROUP))
    return editor, approver


def test_the_workflow_covers_the_catalogue_sections(sections, people):
    for section in (sections.pathways, sections.micro_credentials, sections.books):
        assert section.get_workflow().name == EDITORIAL_WORKFLOW
    editor, approver = people
    assert editor.has_perm("wagtailadmin.access_admin")
    assert editor.has_perm("cms.change_frameworkelement")


def test_editors_cannot_publish_directly(client, sections, people):
    editor, _ = people
    client.force_login(editor)
    data = pathway_form_data(**{"action-publish": "publish"})
    response = client.post(f"/admin/pages/add/cms/pathwaypage/{sections.pathways.pk}/", data)
    assert response.status_code == 302
    page = PathwayPage.objects.get(slug="one-to-one")  # saved, as a draft only
    assert not page.live


def test_submit_approve_publish_and_find(client, sections, people):
    editor, approver = people
    client.force_login(editor)
    data = pathway_form_data(**{"action-submit": "submit"})
    response = client.post(f"/admin/pages/add/cms/pathwaypage/{sections.pathways.pk}/", data)
    assert response.status_code == 302
    page = PathwayPage.objects.get(slug="one-to-one")
    assert not page.live
    state = page.current_workflow_state
    assert state.workflow.name == EDITORIAL_WORKFLOW
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert client.get("/pathways/one-to-one/").status_code == 404

    # The editor cannot approve their own work; the content reviewer can.
    task_state = page.current_workflow_task_state
    assert task_state.task.specific.get_actions(page, editor) == []
    assert task_state.task.specific.get_actions(page, approver) != []
    client.force_login(approver)
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": "Good"}
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    client.logout()
    assert client.get("/pathways/one-to-one/").status_code == 200
    assert "Leading a 1:1 programme" in client.get("/search/", {"q": "programme"}).content.decode()
    explorer = client.get("/frameworks/CTO/").content.decode()
    assert "Leading a 1:1 programme" in explorer


# Framework snippets go through the same workflow: what learners see changes on approval.


def test_the_workflow_covers_the_framework_snippets(people):
    editor, approver = people
    for model in (Framework, FrameworkCategory, FrameworkElement):
        assert model.get_default_workflow().name == EDITORIAL_WORKFLOW
        name = model._meta.model_name
        assert editor.has_perm(f"cms.change_{name}")
        assert not editor.has_perm(f"cms.publish_{name}")
        assert approver.has_perm(f"cms.publish_{name}")
    editorial_workflow_ensure(sections=[])  # running again adds nothing
    assert WorkflowContentType.objects.filter(workflow__name=EDITORIAL_WORKFLOW).count() == 3


def ranked_titles(learner, take) -> list[str]:
    return [r.page.title for r in recommendation_list(user=learner, assessment=take)]


@pytest.fixture
def learner_take(sections):
    """Two three-hour micro-credentials, one for Analyst (2.7) and one for Designer (2.5),
    and a learner who rated every ISTE educator element Emerging: a tie, by title."""
    for title, code in (("Analysing data", "2.7"), ("Designing lessons", "2.5")):
        page = MicroCredentialPageFactory(
            parent=sections.micro_credentials, title=title, pd_hours=3
        )
        MicroCredentialAlignment.objects.create(page=page, element=element(code))
    learner = UserFactory()
    framework = Framework.objects.get(code="ISTE-E")
    take = assessment_start(user=learner, framework=framework)
    assessment_save(
        assessment=take,
        ratings={e.pk: (1, "") for e in assessable_elements(framework)},
        complete=True,
    )
    return learner, take


def test_a_weight_change_waits_for_a_content_reviewer(client, people, learner_take):
    editor, approver = people
    learner, take = learner_take
    designer = element("2.5")
    assert ranked_titles(learner, take) == ["Analysing data", "Designing lessons"]

    client.force_login(editor)
    response = client.post(
        f"/admin/snippets/cms/frameworkelement/edit/{designer.pk}/",
        element_form(designer, weight=30, **{"action-submit": "submit"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    designer.refresh_from_db()
    assert designer.weight == 10  # the live row keeps the published weight
    assert designer.has_unpublished_changes
    assert designer.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert designer.latest_revision.as_object().weight == 30
    assert ranked_titles(learner, take) == ["Analysing data", "Designing lessons"]

    # The editor cannot approve their own change (nor publish it); the content reviewer can.
    task_state = designer.current_workflow_task_state
    approve = (
        f"/admin/snippets/cms/frameworkelement/workflow/action/"
        f"{designer.pk}/approve/{task_state.pk}/"
    )
    assert client.post(approve, {"comment": ""})["Location"] == "/admin/"  # refused
    client.post(
        f"/admin/snippets/cms/frameworkelement/edit/{designer.pk}/",
        element_form(designer, weight=30, **{"action-publish": "publish"}),
    )
    designer.refresh_from_db()
    assert designer.weight == 10
    assert designer.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    client.force_login(approver)
    response = client.post(approve, {"comment": "Agreed with the framework's authors."})
    assert response.status_code in (200, 302)
    designer.refresh_from_db()
    assert (designer.weight, designer.has_unpublished_changes) == (30, False)
    assert ranked_titles(learner, take) == ["Designing lessons", "Analysing data"]


def test_a_new_element_is_not_offered_until_it_is_published(client, people):
    editor, approver = people
    framework = Framework.objects.get(code="ISTE-E")
    client.force_login(editor)
    response = client.post(
        "/admin/snippets/cms/frameworkelement/add/",
        {
            "framework": framework.pk,
            "category": "",
            "code": "2.8",
            "name": "Futurist",
            "description": "Looks ahead.",
            "weight": 10,
            "status": "verified",
            "is_assessed": "on",
            "sort_order": 8,
            "action-submit": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    futurist = FrameworkElement.objects.get(code="2.8")
    assert not futurist.live
    assert futurist.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # Not in the self-assessment, the explorer, the listing filters or the element chooser.
    assert futurist not in assessable_elements(framework)
    learner = onboarded(UserFactory())
    take = assessment_start(user=learner, framework=framework)
    learner_client = Client()
    learner_client.force_login(learner)
    page = learner_client.get(reverse("learning:assessment_edit", args=[take.pk]))
    page = page.content.decode()
    assert "Analyst" in page
    assert "Futurist" not in page
    assert futurist not in framework_explorer_get(framework=framework)["uncategorised"]
    assert not CatalogueFilterForm({"element": "2.8"}).is_valid()
    client.force_login(approver)
    chooser = client.get(
        reverse("wagtailsnippetchoosers_cms_frameworkelement:choose_results"), {"q": "futurist"}
    )
    assert "Futurist" not in chooser.content.decode()

    task_state = futurist.current_workflow_task_state
    client.post(
        f"/admin/snippets/cms/frameworkelement/workflow/action/"
        f"{futurist.pk}/approve/{task_state.pk}/",
        {"comment": ""},
    )
    futurist.refresh_from_db()
    assert futurist.live
    assert futurist in assessable_elements(framework)
    assert CatalogueFilterForm({"element": "2.8"}).is_valid()
    chooser = client.get(
        reverse("wagtailsnippetchoosers_cms_frameworkelement:choose_results"), {"q": "futurist"}
    )
    assert "Futurist" in chooser.content.decode()
