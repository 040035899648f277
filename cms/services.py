"""Writes that matter for the site's content."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

FRAMEWORKS_FILE = Path(__file__).resolve().parent / "data" / "frameworks.yaml"
DESCRIPTORS_FILE = Path(__file__).resolve().parent / "data" / "level_descriptors.yaml"


def level_descriptors_read(data_file: Path = DESCRIPTORS_FILE) -> dict[str, list[str]]:
    """{element code: [what levels 0, 1, 2 and 3 look like]} from the seed data."""
    return yaml.safe_load(data_file.read_text(encoding="utf-8")) or {}


def level_descriptors_fill(*, apps=global_apps, data_file: Path = DESCRIPTORS_FILE) -> int:
    """Fill the level descriptors of existing elements from the seed data where all four
    are empty, so text an editor wrote is never replaced. Returns how many were filled."""
    element_model = apps.get_model("cms", "FrameworkElement")
    filled = 0
    for code, texts in level_descriptors_read(data_file).items():
        fields = {f"descriptor_{value}": text for value, text in enumerate(texts)}
        filled += element_model.objects.filter(code=code, **dict.fromkeys(fields, "")).update(
            **fields
        )
    return filled


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.created.values())


@transaction.atomic
def frameworks_seed(
    *,
    apps=global_apps,
    data_file: Path = FRAMEWORKS_FILE,
    descriptors_file: Path = DESCRIPTORS_FILE,
) -> SeedResult:
    """Create the frameworks, categories, elements (with what each level looks like, from
    `descriptors_file`), crosswalks, assessment levels and audience roles in `data_file`
    that do not exist yet, matched by code. Existing rows are never
    changed, so an editor's edits survive any number of re-seeds. Frameworks, categories
    and elements are created published: they are the publishers' own text, and learners
    see only published ones.

    `apps` is the app registry, or a migration's historical one.
    """
    data = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    descriptors = level_descriptors_read(descriptors_file)
    model = lambda name: apps.get_model("cms", name)  # noqa: E731
    result = SeedResult()
    now = timezone.now()

    def published(model_class) -> dict:
        # A migration before 0007 (moderation) knows no publishing fields.
        if not any(f.name == "live" for f in model_class._meta.get_fields()):
            return {}
        return {
            "live": True,
            "has_unpublished_changes": False,
            "first_published_at": now,
            "last_published_at": now,
        }

    def described(model_class, code: str) -> dict:
        # A migration before 0008 knows no level descriptors; 0008 fills them in.
        if not any(f.name == "descriptor_0" for f in model_class._meta.get_fields()):
            return {}
        return {f"descriptor_{v}": text for v, text in enumerate(descriptors.get(code, []))}

    def ensure(model_name: str, lookup: dict, defaults: dict):
        model_class = model(model_name)
        defaults = defaults | published(model_class)
        obj, created = model_class.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            result.count(model_name)
        return obj

    for level in data["levels"]:
        ensure(
            "AssessmentLevel",
            {"value": level["value"]},
            {"name": level["name"], "description": level["description"]},
        )
    for order, role in enumerate(data["audience_roles"], start=1):
        ensure("AudienceRole", {"code": role["code"]}, {"name": role["name"], "sort_order": order})

    for spec in data["frameworks"]:
        framework = ensure(
            "Framework",
            {"code": spec["code"]},
            {
                key: spec.get(key, "")
                for key in ("name", "short_name", "publisher", "version", "scope")
            }
            | {"sort_order": spec["sort_order"]},
        )
        categories = {}
        for cat in spec.get("categories", []):
            categories[cat["code"]] = ensure(
                "FrameworkCategory",
                {"code": cat["code"]},
                {
                    "framework": framework,
                    "parent": categories.get(cat.get("parent")),
                    "name": cat["name"],
                    "description": cat.get("description") or "",
                    "weight": cat.get("weight"),
                    "status": cat.get("status", "verified"),
                    "sort_order": cat["sort_order"],
                },
            )
        for el in spec["elements"]:
            ensure(
                "FrameworkElement",
                {"code": el["code"]},
                {
                    "framework": framework,
                    "category": categories.get(el.get("category")),
                    "name": el["name"],
                    "description": el.get("description") or "",
                    "weight": el.get("weight", 10),
                    "status": el.get("status", "verified"),
                    "is_assessed": el.get("assessed", True),
                    "sort_order": el["sort_order"],
                }
                | described(model("FrameworkElement"), el["code"]),
            )

    elements = {e.code: e for e in model("FrameworkElement").objects.all()}
    for link in data["crosswalks"]:
        source, target = elements.get(link["source"]), elements.get(link["target"])
        if source is None or target is None:
            continue  # an end's code was changed by an editor: leave the link to them
        ensure(
            "Crosswalk",
            {"source": source, "target": target},
            {"relation": link["relation"], "note": link.get("note", "")},
        )
    return result


EDITORS_GROUP = "Editors"
CONTENT_REVIEWERS_GROUP = "Content reviewers"
EDITORIAL_WORKFLOW = "Editor → Content reviewer → published"
EDITORIAL_TASK = "Content reviewer approval"

# Page permissions on the catalogue sections: editors write, content reviewers also publish.
SECTION_PERMISSIONS = {
    EDITORS_GROUP: ["add_page", "change_page", "lock_page", "unlock_page"],
    CONTENT_REVIEWERS_GROUP: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
}
# Framework snippets: editors write (their changes to frameworks, categories and elements
# wait for moderation); content reviewers also publish. Crosswalks have no drafts.
MODERATED_FRAMEWORK_MODELS = ["framework", "frameworkcategory", "frameworkelement"]
FRAMEWORK_MODELS = [*MODERATED_FRAMEWORK_MODELS, "crosswalk"]
FRAMEWORK_PERMISSIONS = {
    EDITORS_GROUP: ["add", "change", "lock", "unlock"],
    CONTENT_REVIEWERS_GROUP: ["add", "change", "lock", "unlock", "publish"],
}
IMAGE_AND_DOCUMENT_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


@transaction.atomic
def editorial_workflow_ensure(*, sections) -> None:
    """Groups "Editors" (create and edit) and "Content reviewers" (approve and publish), and
    the moderation workflow "Editor → Content reviewer → published" on the given section
    pages and on frameworks, framework categories and framework elements. Adds what is
    missing; takes nothing away that an administrator granted (nor a workflow they chose
    for a section or a framework model)."""
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    root_collection = Collection.get_first_root_node()
    groups = {}
    for name, codenames in SECTION_PERMISSIONS.items():
        group = Group.objects.get_or_create(name=name)[0]
        framework_permissions = Permission.objects.filter(
            content_type__app_label="cms",
            content_type__model__in=FRAMEWORK_MODELS,
            codename__regex=rf"^({'|'.join(FRAMEWORK_PERMISSIONS[name])})_",
        )
        group.permissions.add(admin_access, *framework_permissions)
        for section in sections:
            for codename in codenames:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=section,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
        for app_label, collection_codenames in IMAGE_AND_DOCUMENT_PERMISSIONS.items():
            for codename in collection_codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )
        groups[name] = group

    task = GroupApprovalTask.objects.filter(name=EDITORIAL_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=EDITORIAL_TASK)
    task.groups.add(groups[CONTENT_REVIEWERS_GROUP])
    workflow = Workflow.objects.get_or_create(name=EDITORIAL_WORKFLOW)[0]
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for section in sections:
        WorkflowPage.objects.get_or_create(page=section, defaults={"workflow": workflow})
    for model_name in MODERATED_FRAMEWORK_MODELS:
        WorkflowContentType.objects.get_or_create(
            content_type=ContentType.objects.get_by_natural_key("cms", model_name),
            defaults={"workflow": workflow},
        )


def site_links_forget(**kwargs) -> None:
    """Forget the layout's cached links (`cms.selectors.site_menu`) and the content's version
    (`cms.selectors.public_fragments`), as a page, a view restriction, a site or a
    framework's part changes: now, and again once the change commits, as a screen that read
    the pages meanwhile may have stored them as they were. A receiver of those models'
    signals (`CmsConfig.ready`)."""
    from django.core.cache import cache

    from cms.selectors import CONTENT_VERSION_KEY, SITE_LINKS_KEY

    keys = [SITE_LINKS_KEY, CONTENT_VERSION_KEY]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
