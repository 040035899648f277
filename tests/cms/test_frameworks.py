import sys

import pytest
from django.core.exceptions import ValidationError

from cms.models import (
    AssessmentLevel,
    AudienceRole,
    Crosswalk,
    Framework,
    FrameworkCategory,
    FrameworkElement,
)
from cms.services import frameworks_seed, level_descriptors_fill, level_descriptors_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Framework,
            FrameworkCategory,
            FrameworkElement,
            Crosswalk,
            AssessmentLevel,
            AudienceRole,
        )
    }


def test_migrations_seed_every_framework_and_the_scale():
    elements = {framework.code: framework.elements.count() for framework in Framework.objects.all()}
    # CTO: ten skill areas and five core values; DL: lettered elements of ten areas.
    assert elements == {"CTO": 15, "DL": 26, "EC": 14, "EC2": 7, "ISTE-E": 7, "ISTE-L": 5}
    assert list(AssessmentLevel.objects.values_list("value", "name")) == [
        (0, "Not evident"),
        (1, "Emerging"),
        (2, "Established"),
        (3, "Exemplary"),
    ]
    assert FrameworkElement.objects.get(code="CTO-2").weight == 15
    assert FrameworkElement.objects.get(code="CTO-3").description.startswith(
        "Leads policy on the legal, social and ethical sides"
    )
    assert not FrameworkElement.objects.get(code="CV-1").is_assessed
    area = FrameworkCategory.objects.get(code="DL-8")
    assert area.parent.code == "DL-C3"
    assert FrameworkElement.objects.get(code="DL-8B").category == area
    assert FrameworkElement.objects.get(code="DL-8B").status == "reconstructed"


def test_crosswalks_link_the_revised_conditions_and_the_matrix_to_the_cto_skills():
    covered = set(
        Crosswalk.objects.filter(source__code="EC2-4").values_list("target__code", flat=True)
    )
    assert covered == {"EC-06", "EC-07"}
    assert Crosswalk.objects.get(source__code="DL-8B").target.code == "CTO-10"
    assert Crosswalk.objects.count() == 40


def test_reseeding_creates_nothing_and_keeps_editors_changes():
    element = FrameworkElement.objects.get(code="DL-1B")
    element.name = "Shared and distributed leadership"
    element.weight = 25
    element.save()
    before = counts()

    assert frameworks_seed().total == 0
    assert counts() == before
    element.refresh_from_db()
    assert (element.name, element.weight) == ("Shared and distributed leadership", 25)


def test_reseeding_restores_what_is_missing_by_code():
    FrameworkElement.objects.filter(code="2.7").delete()
    result = frameworks_seed()
    assert result.created == {"FrameworkElement": 1}
    assert FrameworkElement.objects.get(code="2.7").name == "Analyst"


def test_an_element_cannot_sit_in_another_frameworks_category():
    element = FrameworkElement.objects.get(code="CTO-1")
    element.category = FrameworkCategory.objects.get(code="DL-C1")
    with pytest.raises(ValidationError, match="same framework"):
        element.full_clean()


def test_a_crosswalk_joins_two_different_frameworks():
    link = Crosswalk(
        source=FrameworkElement.objects.get(code="CTO-1"),
        target=FrameworkElement.objects.get(code="CTO-2"),
        relation="corresponds",
    )
    with pytest.raises(ValidationError, match="two different frameworks"):
        link.full_clean()


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def test_elements_are_snippets_filtered_by_framework_and_searchable(editor_client):
    cto = Framework.objects.get(code="CTO")
    listing = editor_client.get(
        "/admin/snippets/cms/frameworkelement/", {"framework": cto.pk}
    ).content.decode()
    assert "Strategic Planning" in listing
    assert "Student Data Privacy" not in listing  # a Digital Leap element

    found = editor_client.get("/admin/snippets/cms/frameworkelement/", {"q": "privacy"})
    assert "Student Data Privacy" in found.content.decode()


def element_form(element, **changes) -> dict:
    data = {
        "framework": element.framework_id,
        "category": element.category_id or "",
        "code": element.code,
        "name": element.name,
        "description": element.description,
        "weight": element.weight,
        "status": element.status,
        "is_assessed": "on" if element.is_assessed else "",
        "sort_order": element.sort_order,
    } | {f"descriptor_{value}": element.descriptor(value) for value in range(4)}
    return data | changes


def test_seeded_frameworks_are_published():
    for model in (Framework, FrameworkCategory, FrameworkElement):
        assert not model.objects.filter(live=False).exists()
        assert not model.objects.filter(first_published_at__isnull=True).exists()
    FrameworkElement.objects.filter(code="2.7").delete()
    frameworks_seed()
    restored = FrameworkElement.objects.get(code="2.7")
    assert restored.live and restored.first_published_at and not restored.has_unpublished_changes


def test_editing_an_element_keeps_a_draft_until_it_is_published(editor_client):
    element = FrameworkElement.objects.get(code="3.2")
    url = f"/admin/snippets/cms/frameworkelement/edit/{element.pk}/"
    response = editor_client.post(url, element_form(element, weight=12))
    assert response.status_code == 302, response.content.decode()[:3000]
    element.refresh_from_db()
    assert (element.weight, element.has_unpublished_changes) == (10, True)
    assert element.revisions.count() == 1

    response = editor_client.post(url, element_form(element, weight=12, **{"action-publish": "1"}))
    assert response.status_code == 302
    element.refresh_from_db()
    assert (element.weight, element.has_unpublished_changes) == (12, False)
    assert element.revisions.count() == 2


# What each level looks like, per element.


def test_every_rated_element_says_what_each_level_looks_like_in_its_own_words():
    rated = list(FrameworkElement.objects.filter(is_assessed=True))
    assert len(rated) == 69
    for element in rated:
        texts = [element.descriptor(value) for value in range(4)]
        assert all(len(text) > 20 for text in texts), element.code
        assert len(set(texts)) == 4, element.code
    # Per element, not one text repeated: every element's "Established" differs.
    assert len({element.descriptor_2 for element in rated}) == len(rated)
    # The core values are not rated, so they describe no levels.
    assert FrameworkElement.objects.get(code="CV-1").descriptor_0 == ""
    assert (
        FrameworkElement.objects.get(code="2.7").descriptor_3 == level_descriptors_read()["2.7"][3]
    )


def test_filling_descriptors_never_replaces_an_editors_text():
    edited = FrameworkElement.objects.get(code="2.7")
    edited.descriptor_1 = "Looks at last year's test scores once."
    edited.save()
    emptied = FrameworkElement.objects.get(code="2.6")
    FrameworkElement.objects.filter(pk=emptied.pk).update(
        descriptor_0="", descriptor_1="", descriptor_2="", descriptor_3=""
    )

    assert level_descriptors_fill() == 1
    edited.refresh_from_db()
    emptied.refresh_from_db()
    assert edited.descriptor_1 == "Looks at last year's test scores once."
    assert emptied.descriptor_2 == level_descriptors_read()["2.6"][2]


def test_the_descriptor_migration_fills_with_its_own_frozen_copy(monkeypatch):
    """Migration 0008 keeps its own copy of the fill: it works with the migration's app
    registry and does not call cms.services, so changing the service cannot change it."""
    from django.db.migrations.loader import MigrationLoader

    import cms.services

    def broken(**kwargs):
        raise AssertionError("the migration must not call the current service")

    monkeypatch.setattr(cms.services, "level_descriptors_fill", broken)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migration = loader.get_migration("cms", "0008_element_level_descriptors")
    fill = migration.operations[-1].code
    state = loader.project_state(("cms", "0008_element_level_descriptors"))
    edited = FrameworkElement.objects.get(code="2.7")
    edited.descriptor_1 = "Looks at last year's test scores once."
    edited.save()
    FrameworkElement.objects.filter(code="2.6").update(
        descriptor_0="", descriptor_1="", descriptor_2="", descriptor_3=""
    )

    fill(state.apps, None)

    edited.refresh_from_db()
    assert edited.descriptor_1 == "Looks at last year's test scores once."
    emptied = FrameworkElement.objects.get(code="2.6")
    assert emptied.descriptor_2 == level_descriptors_read()["2.6"][2]
    assert not hasattr(sys.modules[migration.__class__.__module__], "level_descriptors_fill")


def test_a_new_element_is_seeded_with_its_descriptors():
    FrameworkElement.objects.filter(code="DL-3B").delete()
    frameworks_seed()
    restored = FrameworkElement.objects.get(code="DL-3B")
    assert restored.descriptor_0 == "Nobody tracks which apps collect student data."


def test_an_editor_changes_what_a_level_looks_like_through_moderation(editor_client):
    element = FrameworkElement.objects.get(code="3.5")
    url = f"/admin/snippets/cms/frameworkelement/edit/{element.pk}/"
    form = editor_client.get(url).content.decode()
    assert "What each level looks like" in form
    assert "level 2 (Established) looks like" in form.lower() or "Level 2 (Established)" in form
    before = element.descriptor_2
    changed = "You keep a learning log and share one idea with staff each term."
    response = editor_client.post(url, element_form(element, descriptor_2=changed))
    assert response.status_code == 302, response.content.decode()[:3000]
    element.refresh_from_db()
    assert (element.descriptor_2, element.has_unpublished_changes) == (before, True)

    response = editor_client.post(
        url, element_form(element, descriptor_2=changed, **{"action-publish": "1"})
    )
    assert response.status_code == 302
    element.refresh_from_db()
    assert element.descriptor_2 == changed
    assert element.descriptor_1 == level_descriptors_read()["3.5"][1]
