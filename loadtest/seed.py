"""Data for the load test, on top of seed_demo: learners each with a draft submission to
autosave, badges to verify, and reviewers (with authenticators) sharing the demo reviewer's
queue. Writes what the simulated users need (logins, ids) as JSON.

    DJANGO_SETTINGS_MODULE=loadtest.settings python -m loadtest.seed --learners 200 --out seed.json
"""

import argparse
import json

import django

PASSWORD = "load-test-pass-7Qx"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--reviewers", type=int, default=60)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    django.setup()

    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.demo import DEMO_TOTP_SECRET
    from accounts.models import User
    from cms.models import AudienceRole, MicroCredentialPage
    from credentials.models import Assertion, Review
    from credentials.requirements import requirements_of
    from credentials.services.badges import assertion_award, badge_class_for_micro_credential
    from credentials.services.evidence import submission_start
    from credentials.services.review import pool_member_add
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
    # Reviewers are staff: each signs in with a password and an authenticator code, and a
    # code signs one account in once, so every simulated reviewer has an account of its
    # own, in the demo reviewer's pool, sharing the demo reviewer's open reviews.
    demo_reviewer = User.objects.get(email="reviewer@leap.example")
    pool = demo_reviewer.pool_memberships.filter(is_active=True).first().pool
    reviews = list(demo_reviewer.reviews.filter(state="assigned").values_list("pk", flat=True))
    reviewers = []
    for n in range(args.reviewers):
        email = f"load-reviewer{n}@leap.test"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD, display_name=f"Load Reviewer {n}"
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        pool_member_add(pool=pool, user=user)
        Authenticator.objects.filter(user=user).delete()
        TOTP.activate(user, DEMO_TOTP_SECRET)
        mine = reviews[n :: args.reviewers]
        Review.objects.filter(pk__in=mine).update(reviewer=user)
        reviewers.append({"email": email, "reviews": mine})
    data = {
        "password": PASSWORD,
        "learners": learners,
        "assertions": [str(u) for u in Assertion.objects.values_list("uuid", flat=True)],
        "reviewers": reviewers,
        "totp_secret": DEMO_TOTP_SECRET,
    }
    with open(args.out, "w") as out:
        json.dump(data, out)
    print(
        f"Seeded {len(learners)} learners, {len(data['assertions'])} badges, "
        f"{len(reviewers)} reviewers sharing {len(reviews)} open reviews."
    )


if __name__ == "__main__":
    main()
