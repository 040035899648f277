"""Demo data: badge art for every micro-credential without an image of its own; one badge
earned by the demo learner, whose URL seed_demo prints; a reviewer pool with the demo
reviewer and lead reviewer; one submission of Maya's waiting in the demo reviewer's queue;
and an exemplar the lead reviewer marked, which the demo reviewer has not scored yet (so
his queue starts with calibration, and the lead tools show him not calibrated)."""

import hashlib
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import transaction

from accounts.demo import demo_user
from accounts.errors import LeapError
from cms.models import MicroCredentialPage
from credentials.models import ExternalBadge, Review, ReviewerPool, Submission
from credentials.openbadges.data_integrity import proof_create
from credentials.openbadges.multibase import ed25519_multikey
from credentials.openbadges.ob2 import assertion_id
from credentials.requirements import requirements_of, rubric_for
from credentials.services import calibration, evidence, review
from credentials.services.badge_art import badge_art_backfill
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from credentials.services.external import external_badge_add

DEMO_BADGE_SLUG = "student-data-privacy-inventory"
DEMO_POOL = "All micro-credentials"
DEMO_SUBMISSION_SLUG = "one-to-one-readiness-review"
# Maya's evidence for the 1:1 Readiness Review, by requirement (in the page's order).
DEMO_ANSWERS = [
    "Our district serves 9,400 students in 14 schools. We plan to give every student in "
    "grades 6 to 12 (about 5,200) a Chromebook from next August; grades 3 to 5 share carts "
    "today and would follow a year later. The board approved the budget in March; devices "
    "are ordered, and the review below decides whether we launch on time.",
    "Our network manager and help-desk lead (technology), the director of curriculum and two "
    "instructional coaches (teaching and learning), the deputy business officer (finance), "
    "the principal of our first middle school to launch and a parent from "
    "the district technology committee. Each sees a different way the launch could fail.",
    None,  # the completed review: a link
    None,  # the action plan: a file
    "The load test changed our timeline: two middle schools need new wireless access points "
    "before launch, so they start in the second month. Next time I would bring teachers in "
    "earlier; their questions about classroom routines came late and were the most useful.",
]
DEMO_REVIEW_LINK = "https://docs.example.org/shared/one-to-one-readiness-review"
# Grace's earlier evidence for the same micro-credential: the lead's calibration exemplar.
EXEMPLAR_ANSWERS = [
    "A K-8 district of 3,100 students in five schools. We plan take-home iPads for grades "
    "4 to 8 from January.",
    "The technology coordinator and two principals.",
    None,
    None,
    "We will launch on time; the review showed we are ready.",
]
EXEMPLAR_LINK = "https://docs.example.org/shared/k8-ipad-readiness"


def seed(report) -> None:
    # New pages got their art when cms's demo published them; this covers older demo sites.
    badge_art_backfill()
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
    _external_badge_ensure(learner, report)
    _reviewers_ensure()
    try:
        with transaction.atomic():
            _submission_ensure(learner)
    except LeapError as error:  # an editor changed the page's requirements
        report.add_line(f"demo submission: not made ({error})")
    try:
        with transaction.atomic():
            _exemplar_ensure()
    except LeapError as error:
        report.add_line(f"demo exemplar: not made ({error})")


def external_demo_credential(email: str) -> dict:
    """An Open Badges 3.0 credential that a made-up issuer gave the demo learner: issued by
    a did:key (a fixed demo key), so it verifies with nothing fetched, on any machine."""
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"leap demo: elsewhere").digest())
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    did = f"did:key:{ed25519_multikey(raw)}"
    salt = "demo-salt-elsewhere"
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:4d1f6c3a-8b2e-4f51-9c77-2a6e0b5d9e10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "State Digital Learning Institute"},
        "validFrom": "2026-02-14T15:00:00Z",
        "name": "Digital Citizenship Coach",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": "urn:uuid:9a0c2e7b-5d14-4c3f-8e61-7b2f4d0a1c58",
                "type": ["Achievement"],
                "name": "Digital Citizenship Coach",
                "description": "Coaches colleagues to teach digital citizenship across grades.",
                "criteria": {"narrative": "A coaching cycle with two colleagues, documented."},
            },
        },
    }
    proof = proof_create(
        credential,
        private_key=key,
        verification_method=f"{did}#{did.removeprefix('did:key:')}",
        created="2026-02-14T15:00:00Z",
    )
    return {**credential, "proof": proof}


def _external_badge_ensure(learner, report) -> None:
    """Maya added a badge earned elsewhere (verified for real: it counts on her transcript,
    as the demo district accepts such badges)."""
    credential = external_demo_credential(learner.email)
    badge = ExternalBadge.objects.filter(holder=learner, badge_id=credential["id"]).first()
    if badge is None:
        badge = external_badge_add(holder=learner, text=json.dumps(credential))
    report.add_line(f"demo badge earned elsewhere: “{badge.name}” ({badge.get_verdict_display()})")


def _reviewers_ensure() -> None:
    # Neither reviewer belongs to the demo district, so its conflict rule never blocks them.
    pool = ReviewerPool.objects.filter(name=DEMO_POOL, micro_credential=None).first()
    pool = pool or ReviewerPool.objects.create(name=DEMO_POOL)
    review.pool_member_add(pool=pool, user=demo_user("reviewer"))
    review.pool_member_add(pool=pool, user=demo_user("lead reviewer"), is_lead=True)


def _submission_ensure(learner) -> None:
    """Maya's evidence for a badge she does not hold, submitted through the services once
    (whatever became of it since, it is not made again)."""
    page = MicroCredentialPage.objects.live().filter(slug=DEMO_SUBMISSION_SLUG).first()
    if page is None or Submission.objects.filter(learner=learner, micro_credential=page).exists():
        return
    _evidence_submit(learner, page, DEMO_ANSWERS, DEMO_REVIEW_LINK)


def _exemplar_ensure() -> None:
    """Once: Grace's thinner evidence for the same micro-credential, reviewed "not yet" on
    the criteria after the first by the lead reviewer (assigned to her: the demo reviewer
    holds Maya's), and marked as the pool's exemplar with her scores as the reference. The
    demo reviewer has not scored it, so he is not calibrated."""
    pool = ReviewerPool.objects.get(name=DEMO_POOL, micro_credential=None)
    page = MicroCredentialPage.objects.live().filter(slug=DEMO_SUBMISSION_SLUG).first()
    if page is None or pool.exemplars.exists():
        return
    grace, rosa = demo_user("facilitator"), demo_user("lead reviewer")
    if Submission.objects.filter(learner=grace, micro_credential=page).exists():
        return
    submission = _evidence_submit(grace, page, EXEMPLAR_ANSWERS, EXEMPLAR_LINK)
    assigned = Review.objects.filter(submission=submission, reviewer=rosa).first()
    if assigned is None:
        raise LeapError("the lead reviewer was not given the exemplar's submission")
    scores = {}
    for number, (cid, value) in enumerate(rubric_for(submission)):
        if number == 0:
            scores[cid] = ("meets", "")
        else:
            scores[cid] = ("not_yet", value.get("feedback_guidance") or "Say more about this.")
    review.review_record(review=assigned, scores=scores)
    submission.refresh_from_db()
    if submission.state != Submission.State.NOT_YET:
        raise LeapError("the exemplar's submission was not decided")
    calibration.exemplar_mark(
        submission=submission,
        pool=pool,
        reference={cid: result for cid, (result, _) in scores.items()},
        marked_by=rosa,
    )


def _evidence_submit(learner, page, answers: list, link: str) -> Submission:
    requirements = requirements_of(page)
    submission = evidence.submission_start(learner=learner, page=page)
    evidence.submission_save_answers(
        submission=submission,
        answers={
            requirement.id: answer
            for requirement, answer in zip(requirements, answers, strict=False)
            if answer and requirement.takes_text
        },
    )
    for requirement in requirements:
        if requirement.kind != "artifact":
            continue
        if requirement.allow_link:
            evidence.artifact_add_link(submission=submission, slot_id=requirement.id, url=link)
        else:
            evidence.artifact_add_file(
                submission=submission,
                slot_id=requirement.id,
                name="Riverside 1-1 action plan.pdf",
                data=_demo_pdf(
                    [
                        "1:1 launch action plan",
                        "Before launch: wireless access points at two middle schools",
                        "(owner: network manager, by 15 July; done when the load test passes).",
                        "First term: help-desk cover for 5,200 devices (owner: help-desk lead).",
                        "Later: carts for grades 3-5 replaced by take-home devices.",
                    ]
                ),
            )
    evidence.submission_submit(submission=submission, privacy_confirmed=True)
    # Assigned now rather than only by the after-commit task, so the demo reviewer's queue
    # has it whatever runs the tasks; the task then finds nothing left to do.
    review.review_assign(submission=submission)
    return submission


def _demo_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text (plain ASCII, Helvetica)."""
    text = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(
        "({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
        for line in lines
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s ET\nendstream" % (len(text) + 3, text.encode("ascii")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
