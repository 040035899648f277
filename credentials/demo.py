"""Demo data: one badge earned by the demo learner, whose URL seed_demo prints."""

from accounts.demo import demo_user
from cms.models import MicroCredentialPage
from credentials.openbadges import assertion_id
from credentials.services import assertion_award, badge_class_for_micro_credential

DEMO_BADGE_SLUG = "student-data-privacy-inventory"


def seed(report) -> None:
    page = (
        MicroCredentialPage.objects.live().filter(slug=DEMO_BADGE_SLUG).first()
        or MicroCredentialPage.objects.live().order_by("pk").first()
    )
    if page is None:
        return
    learner = demo_user("learner")
    assertion = assertion_award(
        recipient=learner,
        badge_class=badge_class_for_micro_credential(page=page, recipient=learner),
        narrative="Awarded as demo data: Maya's inventory met every criterion of the rubric.",
        notify=False,
    )
    report.add_line(f"demo assertion: {assertion_id(assertion)}")
