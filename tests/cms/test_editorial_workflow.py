"""An editor writes a pathway, a content reviewer approves it, and it goes live: in the
listing, in search and in the framework explorer."""

import pytest
from wagtail.models import WorkflowState

from cms.models import PathwayPage
from cms.services import (
    CONTENT_REVIEWERS_GROUP,
    EDITORIAL_WORKFLOW,
    EDITORS_GROUP,
    editorial_workflow_ensure,
)
from tests.cms.test_catalogue_pages import pathway_form_data
from tests.factories import UserFactory

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
