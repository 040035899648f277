"""Data for the load test, on top of seed_demo: learners each with a draft submission to
autosave, badges to verify, and the demo reviewer's queue. Writes what the simulated
users need (logins, ids) as JSON.

    DJANGO_SETTINGS_MODULE=loadtest.settings python -m loadtest.seed --learners 200 --out seed.json
"""

import argparse
import json

import django

PASSWORD = "load-test-pass-7Qx"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    django.setup()

    from allauth.account.models import EmailAddress

    from accounts.models import User
    from cms.models import AudienceRole, MicroCredentialPage
    from credentials.models import Assertion
    from credentials.requirements import requirements_of
    from credentials.services.badges import assertion_award, badge_class_for_micro_credential
    from credentials.services.evidence import submission_start
    from learning.services import profile_onboard

    pages = [
        page
        for page in MicroCredentialPage.objects.live().order_by("pk")
        if any(r.takes_text for r in requirements_of(page))
    ]
    draft_page, badge_page = pages[0], pages[-1]
    text_ids = [r.id for r in requirements_of(draft_page) if r.takes_text]
    role = AudienceRole.objects.order_by("pk").first()
    badge_class = badge_class_for_micro_credential(page=badge_page)
    learners = []
    for n in range(args.learners):
        email = f"load{n}@leap.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD, display_name=f"Load Learner {n}"
        )
        # A confirmed address, as every real learner's is: allauth signs in no one else.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        profile_onboard(user=user, display_name=user.display_name, role=role)
        submission = submission_start(learner=user, page=draft_page)
        if n % 2 == 0:
            assertion_award(recipient=user, badge_class=badge_class, notify=False)
        learners.append(
            {
                "email": email,
                "submission": submission.pk,
                "revision": submission.revision,
                "answer": f"answer-{text_ids[0]}",
            }
        )
    reviewer = User.objects.get(email="reviewer@leap.example")
    data = {
        "password": PASSWORD,
        "learners": learners,
        "assertions": [str(u) for u in Assertion.objects.values_list("uuid", flat=True)],
        "reviewer": {"email": reviewer.email, "password": "demo-reviewer-pass"},
        "reviews": list(reviewer.reviews.values_list("pk", flat=True)[:50]),
    }
    with open(args.out, "w") as out:
        json.dump(data, out)
    print(
        f"Seeded {len(learners)} learners, {len(data['assertions'])} badges, "
        f"{len(data['reviews'])} reviews for the reviewer."
    )


if __name__ == "__main__":
    main()
